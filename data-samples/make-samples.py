#!/usr/bin/env python3
"""Writes the sample export in data-samples/ (current format) and data-samples/older/.

Deterministic: the same files every run. Clean rows follow the shapes of the real export;
each planted defect or oddity is listed in PLANTED below and in README.md, and the expected
outcome of every rejected line is printed as JSON (the tests assert exactly these).
Run: python3 data-samples/make-samples.py
"""
import json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(7)
UNSPLASH = "https://images.unsplash.com/photo-{n}?ixlib=rb-1.2.1&ixid=eyJhcHBfaWQiOjEyMDd9&auto=format&fit=crop&w={w}&q=80"
NAMES = ["funtime", "bigbrotherbenjamin", "shortandsweeet", "yankeelover", "metslover", "José", "Zoë", "Ünal"]
EMAIL = "first.last@gmail.com"
BASE_MS = 1_577_836_800_000  # 2020-01-01


def q(text):
    return '"' + text.replace('"', '""') + '"'


def ms(i):
    return BASE_MS + i * 86_400_123


class File:
    def __init__(self, name, header, newline="\n", bom=False, final_newline=True):
        self.name, self.header, self.newline, self.bom, self.final = name, header, newline, bom, final_newline
        self.lines = []      # each entry: raw record text (may contain newlines), or bytes
        self.expected = []   # (line number, reason)
        self.repairs = 0

    def add(self, record, reject=None):
        self.lines.append(record)
        if reject:
            self.expected.append((self.line_of(len(self.lines) - 1), reject))

    def line_of(self, index):
        line = 2
        for record in self.lines[:index]:
            text = record if isinstance(record, str) else record.decode("latin-1")
            line += text.count("\n") + 1
        return line

    def write(self, folder):
        os.makedirs(folder, exist_ok=True)
        parts = [self.header] + self.lines
        data = b"\xef\xbb\xbf" if self.bom else b""
        encoded = [p.encode("utf-8") if isinstance(p, str) else p for p in parts]
        data += self.newline.encode().join(encoded)
        if self.final:
            data += self.newline.encode()
        with open(os.path.join(folder, self.name), "wb") as out:
            out.write(data)


def current():
    files = {}
    # product: 30 good rows, written slightly out of id order.
    f = File("product.csv", "id,name,slogan,description,category,default_price")
    products = list(range(1, 31))
    products[3], products[7] = products[7], products[3]
    for p in products:
        name = {1: "Camo Onesie", 2: "Bright Future Sunglasses", 7: "Crème Brûlée Jacket"}.get(p, f"Product {p}")
        desc = 'The So Fatigues will wake you up and fit you in.'
        if p == 3:
            desc = 'Line one, with a comma\nand "quoted" words on line two'
        price = {5: " $45 ", 6: "99.5", 11: "49"}.get(p, str(100 + p))
        f.add(f"{p},{q(name)},{q('Blend in to your crowd')},{q(desc)},{q('Jackets')},{price}")
    f.add('31,"","Nameless","No name at all","Pants",20', "missing_value")
    f.add('32,"Bad Price Jacket","Cheap","Price is words","Jackets",abc', "bad_number")
    f.add('5,"Second Five","Dup","Duplicate of product 5","Jackets",10', "duplicate_id")
    f.add(b'33,"Broken \xff\xfe Name","x","y","Jackets",10', "bad_encoding")
    f.add('34,"Short row"', "field_count")
    f.add('12x,"Bad Id","x","y","Jackets",10', "bad_integer")
    files["product"] = f

    f = File("features.csv", "id,product_id,feature,value", newline="\r\n")
    fid = 0
    for p in range(1, 31):
        for k in range(3 if p % 3 == 0 else 2):
            fid += 1
            value = "null" if fid % 5 == 0 else q(["Rubber", "Canvas", "100% Cotton", "Ø 5mm"][fid % 4])
            f.add(f"{fid},{p},{q(['Sole', 'Fabric', 'UV Protection'][k])},{value}")
    f.add(f'{fid + 1},999,"Sole","Rubber"', "orphan")
    f.add(f'{fid + 2},31,"Sole","Rubber"', "orphan")
    f.add(f'{fid + 3},1,,"Rubber"', "missing_value")
    files["features"] = f

    f = File("styles.csv", "id,productId,name,sale_price,original_price,default_style", bom=True)
    sid = 0
    styles = []
    for p in range(1, 30):
        for k in range(2):
            sid += 1
            styles.append(sid)
            sale = "null" if sid % 3 else str(80 + sid)
            original = " $140.00 " if sid == 4 else str(140 + p)
            f.add(f"{sid},{p},{q(['Forest Green & Black', 'Desert Brown & Tan'][k])},{sale},{original},{1 if k == 0 else 0}")
    f.add(f'{sid + 1},2,"Undecided","null",140,maybe', "bad_boolean")
    f.add(f'{sid + 2},32,"Of a rejected product",null,140,1', "orphan")
    files["styles"] = f

    f = File("photos.csv", "id,styleId,url,thumbnail_url", final_newline=False)
    phid = 0
    for s in styles:
        if s % 7 == 0:
            continue
        for k in range(3):
            phid += 1
            url = "null" if phid == 10 else q(UNSPLASH.format(n=1500000000 + phid, w=668))
            thumb = UNSPLASH.format(n=1500000000 + phid, w=300)
            if phid in (5, 20):
                f.add(f"{phid},{s},{url},\"{thumb}")   # missing closing quote: repaired
                f.repairs += 1
            else:
                f.add(f"{phid},{s},{url},{q(thumb)}")
    f.add(f'{phid + 1},9999,"https://example.com/a.jpg","https://example.com/b.jpg"', "orphan")
    f.add(f'{phid + 2},1,"https://example.com/last.jpg","https://example.com/last-thumb.jpg"')
    files["photos"] = f

    f = File("skus.csv", "id,styleId,size,quantity")
    kid = 0
    for s in styles:
        if s % 11 == 0:
            continue
        sizes = ["XS", "S", "M", "L"] + (["L"] if s == 2 else [])
        for size in sizes:
            kid += 1
            f.add(f"{kid},{s},{q(size)},{(kid * 7) % 30}")
    f.add(f'{kid + 1},1,"XL",-3', "bad_integer")
    f.add(f'{kid + 2},1,"XXL",99999999999', "bad_integer")
    files["skus"] = f

    f = File("related.csv", "id,current_product_id,related_product_id")
    rid = 0
    for p in range(1, 31):
        for r in [(p % 30) + 1, ((p + 4) % 30) + 1, ((p + 11) % 30) + 1]:
            rid += 1
            f.add(f"{rid},{p},{r}")
    rid += 1
    f.add(f"{rid},1,2")  # a pair listed twice
    f.add(f"{rid + 1},1,0", "orphan")
    files["related"] = f

    f = File("questions.csv", "id,product_id,body,date_written,asker_name,asker_email,reported,helpful")
    qid = 0
    questions = []
    for p in range(1, 30):
        for k in range(p % 4 + 1):
            qid += 1
            questions.append(qid)
            body = "What fabric is the top made of?"
            if qid == 2:
                body = 'Does it run "small", large,\nor true to size? ¿Sí?'
            email = "null" if qid % 6 == 0 else q(EMAIL)
            f.add(f"{qid},{p},{q(body)},{ms(qid)},{q(NAMES[qid % len(NAMES)])},{email},{1 if qid % 9 == 0 else 0},{qid % 7}")
    f.add(f'{qid + 1},1,"When?","2019-13-45","yankeelover","{EMAIL}",0,1', "bad_date")
    f.add(f'{qid + 2},1,"Extra field","1595884714409","yankeelover","{EMAIL}",0,1,surprise', "field_count")
    files["questions"] = f
    bad_question = qid + 1

    f = File("answers.csv", "id,question_id,body,date_written,answerer_name,answerer_email,reported,helpful")
    aid = 0
    answers = []
    for question in questions:
        for k in range(question % 3):
            aid += 1
            answers.append(aid)
            date = "2020-05-01T10:20:30.123Z" if aid == 1 else str(ms(aid + 3))
            email = "" if aid % 5 == 0 else q(EMAIL)
            f.add(f"{aid},{question},{q('What a great question!')},{date},{q(NAMES[aid % len(NAMES)])},{email},{1 if aid % 7 == 0 else 0},{aid % 9}")
    f.add(f'{aid + 1},{bad_question},"Answer to a rejected question",1599958385988,"Seller","{EMAIL}",0,2', "orphan")
    files["answers"] = f

    f = File("answers_photos.csv", "id,answer_id,url")
    apid = 0
    for a in answers:
        if a % 2 == 0:
            apid += 1
            f.add(f"{apid},{a},{q(UNSPLASH.format(n=1600000000 + apid, w=668))}")
    f.add(f'{apid + 1},{aid + 1},"https://example.com/orphan.jpg"', "orphan")
    files["answers_photos"] = f

    f = File("reviews.csv", "id,product_id,rating,date,summary,body,recommend,reported,reviewer_name,reviewer_email,response,helpfulness")
    vid = 0
    reviews = []
    for p in range(1, 29):
        for k in range(p % 5 + 1):
            vid += 1
            reviews.append((vid, p))
            response = q("Glad you're enjoying the product!") if vid % 4 == 0 else "null"
            date = "2021-03-17T13:28:37.620Z" if vid == 3 else str(ms(vid * 2))
            recommend = "TRUE" if vid == 2 else ("true" if vid % 4 else "false")
            f.add(f"{vid},{p},{vid % 5 + 1},{date},{q('This product was great!')},"
                  f"{q('I really did or did not like this product.')},{recommend},{'true' if vid % 8 == 0 else 'false'},"
                  f"{q(NAMES[vid % len(NAMES)])},{q(EMAIL)},{response},{vid % 6}")
    f.add(f'{vid + 1},1,6,1596080481467,"Too good","Six stars",true,false,"funtime","{EMAIL}",null,0', "out_of_range")
    f.add(f'3,1,4,1596080481467,"Again","Same id as review 3",true,false,"funtime","{EMAIL}",null,0', "duplicate_id")
    f.add(f'{vid + 2},1,4,1596080481467,"NUL","Has a \x00 byte",true,false,"funtime","{EMAIL}",null,0', "bad_encoding")
    files["reviews"] = f
    bad_review = vid + 1

    f = File("reviews_photos.csv", "id,review_id,url")
    vpid = 0
    for v, _ in reviews:
        for k in range(2 if v % 6 == 0 else (1 if v % 3 == 0 else 0)):
            vpid += 1
            f.add(f"{vpid},{v},{q(UNSPLASH.format(n=1700000000 + vpid, w=668))}")
    f.add(f'{vpid + 1},{bad_review},"https://example.com/orphan.jpg"', "orphan")
    files["reviews_photos"] = f

    f = File("characteristics.csv", "id,product_id,name")
    cid = 0
    chars = {}
    for p in range(1, 31):
        for name in (["Fit", "Length", "Comfort", "Quality"] if p % 2 else ["Quality", "Size", "Width"]):
            cid += 1
            chars.setdefault(p, []).append(cid)
            f.add(f"{cid},{p},{q(name)}")
    f.add(f'{cid + 1},999,"Fit"', "orphan")
    f.add(f'{cid + 2},1,""', "missing_value")
    files["characteristics"] = f

    f = File("characteristic_reviews.csv", "id,characteristic_id,review_id,value")
    crid = 0
    for v, p in reviews:
        for c in chars[p]:
            if c % 10 == 0:
                continue  # nobody rates these: the meta shows null
            crid += 1
            f.add(f"{crid},{c},{v},{rng.randint(1, 5)}")
    f.add(f"{crid + 1},1,1,0", "out_of_range")
    f.add(f"{crid + 2},9999,1,3", "orphan")
    files["characteristic_reviews"] = f

    f = File("cart.csv", "id,user_session,product_id,active")
    for i in range(1, 13):
        f.add(f"{i},{1000 + i % 4},{(i * 3) % 30 + 1},{1 if i % 5 else 0}")
    f.add("13,null,1,1", "missing_value")
    files["cart"] = f
    return files


def older():
    files = {}
    f = File("product.csv", "id, name, slogan, description, category, default_price")
    for p in range(1, 6):
        f.add(f'{p}, "Old Product {p}", "Old slogan", "Old description", "Pants",  {60 + p} ')
    files["product"] = f
    f = File("styles.csv", "id, productId, name, sale_price, original_price, default_style")
    for s in range(1, 6):
        f.add(f'{s}, {s}, "Old Style {s}", null,  {120 + s}.50 , {1 if s % 2 else 0}')
    files["styles"] = f
    f = File("reviews.csv", "id, product_id, rating, date, summary, body, recommend, reported, reviewer_name, reviewer_email, response, helpfulness")
    for v in range(1, 9):
        response = '"Thanks!"' if v == 2 else ""
        f.add(f'{v}, {v % 5 + 1}, {v % 5 + 1}, "2019-01-{v:02d}", "Old summary", "Old body", true, false, "oldtimer", "{EMAIL}", {response}, {v}')
    files["reviews"] = f
    f = File("questions.csv", "id, product_id, body, date_written, asker_name, asker_email, reported, helpful")
    for i in range(1, 5):
        f.add(f'{i}, {i}, "Old question {i}?", "2018-10-{10 + i}", "asker", "{EMAIL}", 0, {i}')
    files["questions"] = f
    f = File("answers.csv", "id, question_id, body, date_written, answerer_name, answerer_email, reported, helpful")
    for i in range(1, 7):
        f.add(f'{i}, {i % 4 + 1}, "Old answer {i}", "2018-08-{10 + i}", "Seller", "{EMAIL}", 0, {i}')
    files["answers"] = f
    return files


def main():
    expected = {}
    for folder, files in ((HERE, current()), (os.path.join(HERE, "older"), older())):
        for name, f in files.items():
            f.write(folder)
            key = os.path.relpath(os.path.join(folder, f.name), HERE)
            rejected = len(f.expected)
            expected[key] = {"read": len(f.lines), "loaded": len(f.lines) - rejected,
                             "repaired": f.repairs, "rejects": f.expected}
    print(json.dumps(expected, indent=1))


main()

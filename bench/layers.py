"""bench/layers.sh's report: each server's CPU per cached request, and by layer.

Arguments: the directory holding `layers.runs` (a JSON line per measured run) and the
`layers.NAME-ROUND.txt` profiles (demangled `perf report --sort dso,symbol`), and the number of
rounds. A sampled function's share goes to the first layer whose pattern matches its library
and name; ARC, allocation and copying are counted apart, as a flat profile cannot tell which
layer asked for them. Microseconds per request = the layer's share of the samples x the server's
CPU per request; the median of the rounds.
"""
import json
import re
import statistics
import sys

LAYERS = [
    ("kernel: sockets, epoll, scheduling", r"\[k\]"),
    ("ARC (retain/release)", r"swift_(retain|release|bridgeObject|unknownObject|nonatomic)|swift_isUniquelyReferenced"),
    ("allocation", r"malloc|\bfree\b|cfree|_int_free|calloc|realloc|swift_allocObject|swift_deallocObject"
     r"|swift_slowAlloc|swift_slowDealloc|tcache|swift_allocBox|swift_deallocClassInstance"),
    ("memcpy/memmove/memset", r"mem(cpy|move|set)"),
    ("locks", r"pthread_mutex|NIOLock|LockedValueBox|lll_|futex|pthread_rwlock|os_unfair"),
    ("request metrics", r"Metric|Prometheus|RequestSeries|Histogram|Gauge|Counter|DispatchTime|ContinuousClock"
     r"|clock_gettime|ManagedAtomic"),
    ("conditional GET, entity tags", r"ConditionalGet|EntityTag"),
    ("read-your-writes", r"ReadYourWrites|Cookie|ClientPosition"),
    ("error answers, API middleware", r"ErrorAnswer|APIMiddleware"),
    ("response cache, read routing", r"ResponseCache|cachedDocument|ReadRouter|CacheKey|APIDatabase|Statement|Queries"),
    ("route handlers", r"Atelier|Routes|pathID|Floor|AtelierAPI|atelier_serve"),
    ("Hummingbird router, responder", r"Router|Trie|Endpoint|Responder|Middleware|RequestContext|Hummingbird"),
    ("HTTP parsing and encoding", r"HTTP|llhttp|http_parser|c_nio_llhttp"),
    ("Swift concurrency runtime", r"libswift_Concurrency|swift_task|swift_job|swift::|swift_continuation|Executor"
     r"|TaskGroup|AsyncStream|AsyncSequence|AsyncIterator|withCheckedContinuation"),
    ("NIO event loop, channels", r"NIO|ByteBuffer|Selector|epoll|Socket|Channel|EventLoop|writev|sendmsg|recv"),
    ("Swift standard library", r"libswiftCore|libFoundation|Swift\.|Dictionary|Array|String|Hasher"),
]
LINE = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+(\[[.k]\])\s+(.*)$")


def layers(path):
    shares = {name: 0.0 for name, _ in LAYERS}
    shares["other"] = 0.0
    for line in open(path, encoding="utf-8", errors="replace"):
        match = LINE.match(line)
        if not match:
            continue
        percent, library, kind, symbol = float(match.group(1)), match.group(2), match.group(3), match.group(4)
        text = kind + " " + library + " " + symbol
        layer = next((layer for layer, pattern in LAYERS if re.search(pattern, text)), "other")
        shares[layer] += percent / 100
    total = sum(shares.values()) or 1
    return {layer: share / total for layer, share in shares.items()}


def main():
    directory, rounds = sys.argv[1], int(sys.argv[2])
    runs = [json.loads(line) for line in open(directory + "/layers.runs")]
    names = []
    for run in runs:
        server = run["name"].rsplit("-", 1)[0]
        if server not in names:
            names.append(server)
    per_server = {name: [run for run in runs if run["name"].rsplit("-", 1)[0] == name] for name in names}
    cpu = {name: statistics.median(run["cpu_us"] for run in per_server[name]) for name in names}
    rps = {name: statistics.median(run["rps"] for run in per_server[name]) for name in names}
    print()
    print("%-10s %18s %14s   %s" % ("server", "CPU us/request", "req/s", "each round (us)"))
    for name in names:
        rounds_text = " ".join("%.1f" % run["cpu_us"] for run in per_server[name])
        print("%-10s %18.1f %14.0f   %s" % (name, cpu[name], rps[name], rounds_text))
    # Rounds alternate, so a round's servers ran on the same machine state: their ratios vary
    # less than the medians.
    first = names[0]
    for name in names[1:]:
        pairs = [a["cpu_us"] / b["cpu_us"] for a, b in zip(per_server[first], per_server[name])]
        print("%s / %s, CPU per request, median of the rounds' ratios: %.2f" % (first, name, statistics.median(pairs)))
    by_layer = {}
    for name in names:
        samples = [layers("%s/layers.%s.txt" % (directory, run["name"])) for run in per_server[name]]
        by_layer[name] = {layer: statistics.median(s[layer] for s in samples) * cpu[name] for layer in samples[0]}
    print()
    print("CPU us per request by layer (median of %d rounds)" % rounds)
    print("%-38s" % "layer" + "".join("%10s" % name for name in names))
    order = sorted(by_layer[names[0]], key=lambda layer: -by_layer[names[0]][layer])
    for layer in order:
        if all(by_layer[name][layer] < 0.05 for name in names):
            continue
        print("%-38s" % layer + "".join("%10.2f" % by_layer[name][layer] for name in names))


main()

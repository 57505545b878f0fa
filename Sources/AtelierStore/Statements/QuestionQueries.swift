import AtelierCatalog
import PostgresNIO

/// The Q&A routes' SQL and JSON shapes. Reported questions and answers are never listed.
package enum QuestionQueries {
    /// `GET /qa/questions`: one page of a product's listed questions, most helpful first, each
    /// with every listed answer keyed by id and the answers' photo URLs in id order.
    package struct List: PagedStatement, CachedStatement {
        package static let tablesRead: Set<TableName> = [.product, .questions, .answers, .answersPhotos]
        package static let keySpace: CacheKeySpace? = .product
        package static let sql = """
            SELECT json_build_object('product_id', p.id::text, 'results', \(SQL.orEmpty("""
                SELECT json_agg(json_build_object('question_id', q.id, 'question_body', q.body,
                    'question_date', \(SQL.isoDate("q.date_written")), 'asker_name', q.asker_name,
                    'question_helpfulness', q.helpful, 'reported', q.reported,
                    'answers', \(SQL.orEmpty("""
                        SELECT json_object_agg(a.id::text, json_build_object('id', a.id, 'body', a.body,
                            'date', \(SQL.isoDate("a.date_written")), 'answerer_name', a.answerer_name,
                            'helpfulness', a.helpful,
                            'photos', \(SQL.orEmpty("""
                                SELECT json_agg(ph.url ORDER BY ph.id) FROM answers_photos ph WHERE ph.answer_id = a.id
                                """, "[]"))) ORDER BY a.id)
                        FROM answers a WHERE a.question_id = q.id AND NOT a.reported
                        """, "{}")))
                    ORDER BY q.helpful DESC, q.id)
                FROM (SELECT * FROM questions q WHERE q.product_id = p.id AND NOT q.reported
                      ORDER BY q.helpful DESC, q.id LIMIT $2 OFFSET $3) q
                """, "[]")))
            FROM product p WHERE p.id = $1
            """

        /// The product, bound as `$1`.
        let productID: Int32
        package var rowID: Int32 { productID }
        package let page: Page

        package init(productID: Int32, page: Page) {
            self.productID = productID
            self.page = page
        }
    }

    /// `GET /qa/questions/:question_id/answers`: one page of a question's listed answers, most
    /// helpful first, with their photos as `{id, url}` in id order.
    package struct Answers: PagedStatement, CachedStatement {
        package static let tablesRead: Set<TableName> = [.questions, .answers, .answersPhotos]
        package static let keySpace: CacheKeySpace? = .question
        package static let sql = """
            SELECT json_build_object('question', q.id::text, 'page', $4::int8, 'count', $2::int8, 'results', \(SQL.orEmpty("""
                SELECT json_agg(json_build_object('answer_id', a.id, 'body', a.body,
                    'date', \(SQL.isoDate("a.date_written")), 'answerer_name', a.answerer_name,
                    'helpfulness', a.helpful,
                    'photos', \(SQL.orEmpty("""
                        SELECT json_agg(json_build_object('id', ph.id, 'url', ph.url) ORDER BY ph.id)
                        FROM answers_photos ph WHERE ph.answer_id = a.id
                        """, "[]")))
                    ORDER BY a.helpful DESC, a.id)
                FROM (SELECT * FROM answers a WHERE a.question_id = q.id AND NOT a.reported
                      ORDER BY a.helpful DESC, a.id LIMIT $2 OFFSET $3) a
                """, "[]")))
            FROM questions q WHERE q.id = $1
            """

        /// The question, bound as `$1`.
        let questionID: Int32
        package var rowID: Int32 { questionID }
        package let page: Page

        package init(questionID: Int32, page: Page) {
            self.questionID = questionID
            self.page = page
        }
    }

    /// `POST /qa/questions`: the new question's id, or no row when the product does not exist.
    package static func insertQuestion(_ question: QuestionSubmission) -> Write {
        Write(
            query: """
                INSERT INTO questions (product_id, body, date_written, asker_name, asker_email, reported, helpful)
                SELECT p.id, \(question.body), now(), \(question.name), \(question.email), false, 0
                FROM product p WHERE p.id = \(question.productID)
                RETURNING id, product_id, id
                """, tablesWritten: [.questions])
    }

    /// `POST /qa/questions/:question_id/answers`: the answer and its photos in one statement;
    /// the new answer's id, or no row when the question does not exist.
    package static func insertAnswer(_ answer: AnswerSubmission, questionID: Int32) -> Write {
        Write(
            query: """
                WITH answer AS (
                    INSERT INTO answers (question_id, body, date_written, answerer_name, answerer_email, reported, helpful)
                    SELECT q.id, \(answer.body), now(), \(answer.name), \(answer.email), false, 0
                    FROM questions q WHERE q.id = \(questionID)
                    RETURNING id, question_id),
                photos AS (
                    INSERT INTO answers_photos (answer_id, url)
                    SELECT answer.id, photo.url FROM answer, unnest(\(answer.photos)::text[]) WITH ORDINALITY AS photo(url, position)
                    ORDER BY photo.position)
                SELECT answer.id, q.product_id, answer.question_id FROM answer JOIN questions q ON q.id = answer.question_id
                """, tablesWritten: [.answers, .answersPhotos])
    }
}

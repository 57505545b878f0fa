import AtelierStore
import Hummingbird

/// `/qa/questions`, `/qa/questions/:question_id/answers`, their POSTs and the helpful/report
/// PUTs of questions and answers.
struct QuestionRoutes<Context: RequestContext> {
    let database: APIDatabase

    func add(to router: Router<Context>) {
        router.get("qa/questions") { request, _ in
            let query = QueryParameters(request)
            return try await database.answer(
                QuestionQueries.List(productID: query.id("product_id"), page: query.page()), missing: .noProduct)
        }
        router.get("qa/questions/:question_id/answers") { request, context in
            let statement = try QuestionQueries.Answers(
                questionID: context.pathID("question_id"), page: QueryParameters(request).page())
            return try await database.answer(statement, missing: .noQuestion)
        }
        router.post("qa/questions") { request, _ in
            let question = try QuestionSubmission(await RequestBody.read(request))
            guard let id = try await database.write(QuestionQueries.insertQuestion(question)) else {
                throw APIError.noProduct
            }
            return Response.created(id: id)
        }
        router.post("qa/questions/:question_id/answers") { request, context in
            let questionID = try context.pathID("question_id")
            let answer = try AnswerSubmission(await RequestBody.read(request))
            guard let id = try await database.write(QuestionQueries.insertAnswer(answer, questionID: questionID)) else {
                throw APIError.noQuestion
            }
            return Response.created(id: id)
        }
        FeedbackRoutes<Context>(
            database: database, path: "qa/questions/:question_id", idName: "question_id", target: .question
        ).add(to: router)
        FeedbackRoutes<Context>(database: database, path: "qa/answers/:answer_id", idName: "answer_id", target: .answer)
            .add(to: router)
    }
}

import AtelierStore
import Hummingbird

/// `POST /qa/questions`, `POST /qa/questions/:question_id/answers` and the helpful/report PUTs
/// of questions and answers (the GETs are `CachedRead`s).
struct QuestionRoutes<Context: RequestContext> {
    let database: APIDatabase

    func add(to router: Router<Context>) {
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

@testable import AtelierStore
import Foundation
import NIOCore
import Testing

@Suite struct JSONCompactionTests {
    @Test(arguments: [
        (#"{"id" : 1, "name" : "a b"}"#, #"{"id":1,"name":"a b"}"#),
        ("[1, \n 2, \n 3]", "[1,2,3]"),
        (
            #"{"q" : "say \"a , b\" : c", "p" : "back\\", "n" : null}"#,
            #"{"q":"say \"a , b\" : c","p":"back\\","n":null}"#
        ),
        (#"{"é" : "Crème Brûlée\tJacket"}"#, #"{"é":"Crème Brûlée\tJacket"}"#),
        ("", ""),
    ])
    func whitespaceGoesOnlyOutsideStrings(_ input: String, _ compact: String) throws {
        let output = JSONCompaction.compact(ByteBuffer(string: input))
        #expect(String(buffer: output) == compact)
        if !input.isEmpty {
            let parsed = try JSONSerialization.jsonObject(with: Data(input.utf8)) as? NSObject
            #expect(try JSONSerialization.jsonObject(with: Data(output.readableBytesView)) as? NSObject == parsed)
        }
    }
}

import Foundation
import PVEMendTestSupport
import PVEModel
import Synth
import Testing

/// `JSONParser`: the same values as `JSONDecoder` gives `JSONValue`, strict syntax, located errors.
@Suite struct JSONParserTests {
  private func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
    try JSONParser.parse(Data(text.utf8))
  }

  @Test(arguments: try Loading.exampleNames())
  func agreesWithJSONDecoderOnExamples(name: String) throws {
    let data = try Data(contentsOf: Fixtures.example(name))
    #expect(try JSONParser.parse(data) == JSONDecoder().decode(JSONValue.self, from: data))
  }

  @Test func agreesWithJSONDecoderOnSynth() throws {
    let data = Synth.snapshot(nodes: 4, guests: 300, seed: 9, pveMajor: 8).encoded(pretty: true)
    #expect(try JSONParser.parse(data) == JSONDecoder().decode(JSONValue.self, from: data))
  }

  @Test func numbers() throws {
    let v = try parse(
      "[0, -0, 8192, 1.0, 1e2, 2.5, -1.25e-3, 9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551616]"
    )
    #expect(
      v
        == .array([
          .int(0), .int(0), .int(8192), .int(1), .int(100), .double(2.5), .double(-0.00125),
          .int(Int64.max), .int(Int64.min), .double(9_223_372_036_854_775_808),
          .double(18_446_744_073_709_551_616),
        ]))
    let text = "[1.0, 1e2, 2.5, 9223372036854775808, -0, 0.187183, 123456789012]"
    #expect(try parse(text) == JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
  }

  @Test func stringsAndEscapes() throws {
    let v = try parse(
      #"["a\"b\\c\/d", "\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "ünïcödé 😀", ""]"#)
    #expect(
      v
        == .array([
          .string("a\"b\\c/d"), .string("\u{8}\u{c}\n\r\t"), .string("é€"), .string("😀"),
          .string("ünïcödé 😀"), .string(""),
        ]))
  }

  @Test func literalsAndNesting() throws {
    #expect(
      try parse(" { \"a\" : [ true , false , null , { } , [ ] ] } \n")
        == .object(["a": .array([.bool(true), .bool(false), .null, .object([:]), .array([])])]))
  }

  @Test(arguments: [
    "", "   ", "{", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "tru", "nul", "01", "-",
    "1.", ".5", "1e", "+1", "\"abc", "\"a\\x\"", "\"\\ud83d\"", "\"\\ude00x\"", "\"tab\there\"",
    "[1] x", "1E400", "NaN", "'a'",
  ])
  func rejects(text: String) {
    #expect(throws: JSONParser.Failure.self) { try parse(text) }
  }

  @Test func deepNestingFailsCleanly() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(throws: JSONParser.Failure.self) { try parse(deep) }
    let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(throws: Never.self) { try parse(fine) }
  }

  @Test func failuresSayWhere() {
    let text = """
      {"api": {
        "/cluster/resources": [{"vmid": 100}, {"vmid": 1x}],
        "b": 2}}
      """
    do {
      _ = try parse(text)
      Issue.record("parsed broken JSON")
    } catch {
      #expect(error.path == #"$.api["/cluster/resources"][1].vmid"#)
      #expect(error.message == "expected ',' or '}' after a value, found 'x' at line 2, column 51")
    }
    do {
      _ = try parse(#"{"a.b": [1, {"c": tru}]}"#)
      Issue.record("parsed broken JSON")
    } catch {
      #expect(error.path == #"$["a.b"][1].c"#)
      #expect(error.message.hasPrefix("unexpected character 't'"))
    }
  }
}

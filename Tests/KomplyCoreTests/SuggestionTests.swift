import KomplyCore
import XCTest

/// "Did you mean": typing slips (one wrong, missing, extra or swapped character; two in long names)
/// find the name meant; short words and unrelated names find nothing.
final class SuggestionTests: XCTestCase {
    func testTyposFindTheNameMeant() {
        let commands = ["generate", "lint", "sync", "sources", "predict", "history", "backtest", "rules", "serve", "bench"]
        XCTAssertEqual(Suggestion.closest(to: "genrate", among: commands), "generate")
        XCTAssertEqual(Suggestion.closest(to: "lnit", among: commands), "lint", "a swap of neighbours is one edit")
        XCTAssertEqual(Suggestion.closest(to: "sycn", among: commands), "sync")
        XCTAssertEqual(Suggestion.closest(to: "serv", among: commands), "serve")
        XCTAssertEqual(Suggestion.closest(to: "run-as-rot", among: ["run-as-root", "run-as-user"]), "run-as-root")
        XCTAssertEqual(Suggestion.closest(to: "polcy", among: ["policy", "history"]), "policy")
    }

    func testUnrelatedAndShortNamesFindNothing() {
        XCTAssertNil(Suggestion.closest(to: "frobnicate", among: ["generate", "lint"]))
        XCTAssertNil(Suggestion.closest(to: "ab", among: ["abc"]), "no edit is allowed in names of up to 3 characters")
        XCTAssertNil(Suggestion.closest(to: "lint", among: ["lint"]), "the name itself is no suggestion")
        XCTAssertNil(Suggestion.closest(to: "latest-tag-image", among: ["latest-image-tag"]), "swapped words are not a typo")
    }

    func testTiesGoToTheAlphabeticallyFirst() {
        XCTAssertEqual(Suggestion.closest(to: "cat", among: ["cut", "cap"]), nil)
        XCTAssertEqual(Suggestion.closest(to: "shore", among: ["shovel", "share", "shire"]), "share")
        XCTAssertEqual(Suggestion.closest(to: "shore", among: Set(["shire", "share"])), "share", "sets give the same answer")
    }
}

@testable import BatonHTTP
import Testing

/// Feeds the bytes in two pieces split at `split` and collects every request and the final error.
private func parse(_ text: String, split: Int? = nil, maxHead: Int = 16 * 1024, maxBody: Int = 1024)
    -> (requests: [HTTPRequest], error: HTTPParseError?)
{
    let bytes = Array(text.utf8)
    var parser = HTTPRequestParser(maxHeadBytes: maxHead, maxBodyBytes: maxBody)
    var requests: [HTTPRequest] = []
    let pieces = split.map { [Array(bytes[..<$0]), Array(bytes[$0...])] } ?? [bytes]
    for piece in pieces {
        parser.append(piece)
        while true {
            do {
                guard case .request(let r) = try parser.next() else { break }
                requests.append(r)
            } catch {
                return (requests, error)
            }
        }
    }
    return (requests, nil)
}

@Suite struct HTTPRequestParserTests {
    static let postWithBody = "POST /api/metadata/taskdefs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n[{\"name\":\"a\"}]"
    static let chunked = "POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: y\r\n\r\n"
    static let pipelined = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b?q=1 HTTP/1.1\r\nHost: x\r\n\r\nDELETE /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"

    @Test func parsesAContentLengthBodyAtEverySplit() throws {
        let text = Self.postWithBody
        for split in 0...text.utf8.count {
            let (requests, error) = parse(text, split: split)
            #expect(error == nil)
            try #require(requests.count == 1, "split at \(split)")
            #expect(requests[0].method == "POST")
            #expect(requests[0].pathSegments == ["api", "metadata", "taskdefs"])
            #expect(requests[0].bodyText == "[{\"name\":\"a\"}]")
            #expect(requests[0].headers["content-type"] == "application/json")
        }
    }

    @Test func parsesChunkedBodiesAtEverySplit() throws {
        for split in 0...Self.chunked.utf8.count {
            let (requests, error) = parse(Self.chunked, split: split)
            #expect(error == nil)
            try #require(requests.count == 1, "split at \(split)")
            #expect(requests[0].bodyText == "hello, world")
        }
    }

    @Test func answersPipelinedRequestsInOrderAtEverySplit() throws {
        for split in 0...Self.pipelined.utf8.count {
            let (requests, error) = parse(Self.pipelined, split: split)
            #expect(error == nil)
            try #require(requests.count == 3, "split at \(split)")
            #expect(requests.map(\.rawPath) == ["/a", "/b", "/c"])
            #expect(requests[1].query["q"] == "1")
            #expect(requests[2].bodyText == "{}")
        }
    }

    @Test func decodesPathSegmentsAndQueryStrings() throws {
        let (requests, _) = parse("GET /api/metadata/taskdefs/a%20b+c%2Fd?reason=because+x%26y&flag=True&list=a,b&list=c HTTP/1.1\r\n\r\n")
        let r = try #require(requests.first)
        #expect(r.pathSegments == ["api", "metadata", "taskdefs", "a b+c/d"])
        #expect(r.query["reason"] == "because x&y")
        #expect(r.query["flag"] == "True")
        #expect(r.query.list("list") == ["a", "b", "c"])
    }

    @Test func headersAreCaseInsensitiveAndRepeatable() throws {
        let (requests, _) = parse("GET / HTTP/1.1\r\nX-Tag: a\r\nx-tag: b\r\nCONNECTION: close\r\n\r\n")
        let r = try #require(requests.first)
        #expect(r.headers.values("X-TAG") == ["a", "b"])
        #expect(!r.wantsKeepAlive)
    }

    @Test func keepAliveFollowsTheVersion() throws {
        let (r11, _) = parse("GET / HTTP/1.1\r\n\r\n")
        let (r10, _) = parse("GET / HTTP/1.0\r\n\r\n")
        let (r10k, _) = parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(r11.first?.wantsKeepAlive == true)
        #expect(r10.first?.wantsKeepAlive == false)
        #expect(r10k.first?.wantsKeepAlive == true)
    }

    @Test func reportsExpectContinueBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8))
        guard case .needMoreData = try parser.next() else { Issue.record("expected to wait for the body"); return }
        #expect(parser.pendingHead?.expectsContinue == true)
        parser.append(Array("abc".utf8))
        guard case .request(let r) = try parser.next() else { Issue.record("expected a request"); return }
        #expect(r.bodyText == "abc")
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400),
        ("GET /x HTTP/1.1 extra\r\n\r\n", 400),
        ("GET x HTTP/1.1\r\n\r\n", 400),
        ("GET /x HTTP/2.0\r\n\r\n", 505),
        ("GET /x FOO/1.1\r\n\r\n", 400),
        ("GET /x HTTP/1.1\r\nBad Header: 1\r\n\r\n", 400),
        ("GET /x HTTP/1.1\r\nNoColon\r\n\r\n", 400),
        ("GET /x HTTP/1.1\r\n folded: 1\r\n\r\n", 400),
        ("GET /x HTTP/1.1\nHost: x\n\n\r\n\r\n", 400),
        ("POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
        ("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST /x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("POST /x HTTP/1.1\r\nExpect: something\r\n\r\n", 417),
        ("GET /bad%zz HTTP/1.1\r\n\r\n", 400),
        ("GET /x?q=%4 HTTP/1.1\r\n\r\n", 400),
        ("POST /x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n", 413),
    ])
    func refusesMalformedAndOversizedInput(_ text: String, _ status: Int) {
        for split in 0...text.utf8.count {
            let (requests, error) = parse(text, split: split)
            #expect(requests.isEmpty)
            #expect(error?.status == status, "split at \(split)")
        }
    }

    @Test func refusesAHeadOverTheLimitWithoutWaitingForItsEnd() {
        let head = "GET /x HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 2000)
        let (_, error) = parse(head, maxHead: 1024)
        #expect(error == .headTooLarge)
        let (_, complete) = parse(head + "\r\n\r\n", maxHead: 1024)
        #expect(complete == .headTooLarge)
    }

    @Test func toleratesEmptyLinesBeforeARequest() {
        let (requests, error) = parse("\r\n\r\nGET /x HTTP/1.1\r\n\r\n")
        #expect(error == nil)
        #expect(requests.count == 1)
    }

    @Test func keepsTheBodyLimitExact() {
        let atLimit = "POST /x HTTP/1.1\r\nContent-Length: 1024\r\n\r\n" + String(repeating: "x", count: 1024)
        #expect(parse(atLimit).requests.count == 1)
        let over = "POST /x HTTP/1.1\r\nContent-Length: 1025\r\n\r\n"
        #expect(parse(over).error == .bodyTooLarge)
    }

    @Test func acceptsAbsoluteFormTargets() throws {
        let (requests, _) = parse("GET http://localhost:8080/api/x?y=1 HTTP/1.1\r\n\r\n")
        let r = try #require(requests.first)
        #expect(r.pathSegments == ["api", "x"])
        #expect(r.query["y"] == "1")
    }
}

import Foundation
import XCTest
@testable import Keepsake

/// Mirrors the Kotlin JVM scenario (android/keepsake/src/test): records for real photos,
/// consent, analysis with progress, cancel and resume, suggestions, a collage, revocation;
/// people named then excluded; and the error paths. Photos and the model come from KEEPSAKE_SHARED.
final class KeepsakeStoreTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_608_000) // 2026-11-20T12:00:00Z

    private var shared: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["KEEPSAKE_SHARED"] ?? "../shared")
    }

    private func tempDb() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("k.db")
    }

    private func records() throws -> [AssetRecord] {
        let dir = shared.appendingPathComponent("data/photos_meta")
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }
            .filter { ["jpg", "jpeg"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path } ?? []
        return files.enumerated().map { index, url in
            AssetRecord(
                id: url.lastPathComponent, uri: url.path, name: url.lastPathComponent, mime: "image/jpeg",
                size: nil, modifiedMs: now.millis, capturedAt: nil,
                capturedMs: now.millis - Int64(index + 1) * 6 * 3_600_000, offsetMinutes: 0, dateTrust: nil,
                width: nil, height: nil, orientation: nil, lat: nil, lon: nil, album: "Camera",
                favorite: false, screenshot: false, isVideo: false, isLive: false, durationMs: nil
            )
        }
    }

    func testSyncConsentAnalyseCancelResumeSuggestCollageRevoke() throws {
        let store = try KeepsakeStore(url: try tempDb(), timeZone: TimeZone(identifier: "UTC")!)
        defer { store.close() }
        let all = try records()
        XCTAssertGreaterThan(all.count, 40)
        let summary = try store.sync(all, full: true)
        XCTAssertEqual(summary.added, UInt64(all.count))
        XCTAssertThrowsError(try store.analyze()) { error in
            XCTAssertEqual(error as? KeepsakeError, .consentRequired(.pixels))
        }
        try store.grant(.pixels, .faces, .suggestions)
        let model = shared.appendingPathComponent("models/retinaface_mnet025.onnx")
        let first = try store.analyze(model: model, threads: 1)
        first.cancel()
        XCTAssertThrowsError(try first.wait(timeout: 30)) { error in
            XCTAssertEqual(error as? KeepsakeError, .cancelled)
        }
        let resumed = try store.analyze(model: model)
        let done = try XCTUnwrap(try resumed.wait(timeout: 300))
        XCTAssertGreaterThan(done.analysed, 0)
        let suggestions = try store.suggestions(at: now)
        let best = try XCTUnwrap(suggestions.first)
        let image = try store.collage(for: best.id, style: CollageStyle(size: 1024), at: now)
        XCTAssertEqual(Array(image.bytes.prefix(2)), [0xFF, 0xD8])
        XCTAssertTrue(try store.storyJSON(for: best.id, at: now).contains("\"frames\""))
        XCTAssertGreaterThan(try store.revoke(.pixels, .faces, .suggestions), 0)
        XCTAssertTrue(try store.faces().isEmpty)
    }

    func testPeopleNamedThenExcludedLeaveEverySuggestion() throws {
        let store = try KeepsakeStore(url: try tempDb(), timeZone: TimeZone(identifier: "UTC")!)
        defer { store.close() }
        _ = try store.sync(try records(), full: true)
        try store.grant(.pixels, .faces, .suggestions)
        let model = shared.appendingPathComponent("models/retinaface_mnet025.onnx")
        let embedder = shared.appendingPathComponent("models/face_embed_dlib_resnet_v1.onnx")
        let summary = try XCTUnwrap(try store.analyze(model: model, embedder: embedder).wait(timeout: 300))
        XCTAssertGreaterThan(summary.people, 0)
        let person = try XCTUnwrap(try store.people().first)
        XCTAssertNotNil(person.cover)
        try store.name(person.id, "Ada")
        try store.setBirthday(person.id, Birthday(month: 6, day: 18, year: nil))
        XCTAssertEqual(try store.people().first { $0.id == person.id }?.name, "Ada")
        let theirs = Set(try store.personFaces(person.id).map(\.assetId))
        try store.excludePerson(person.id)
        let excluded = try XCTUnwrap(try store.people().first { $0.id == person.id })
        XCTAssertTrue(excluded.excluded && excluded.name == nil && excluded.cover == nil)
        for suggestion in try store.suggestions(at: now) {
            XCTAssertTrue(theirs.isDisjoint(with: suggestion.assetIds))
        }
        XCTAssertThrowsError(try store.analyze(model: nil, embedder: embedder))
    }

    func testErrorPaths() throws {
        XCTAssertThrowsError(try KeepsakeStore(url: URL(fileURLWithPath: "/dev/null/k.db")))
        let db = try tempDb()
        let store = try KeepsakeStore(url: db)
        // A second open in this process is a handle on the same store; outside the façade
        // (another process's view) the file is in use.
        let second = try KeepsakeStore(url: db)
        XCTAssertEqual(KeepsakeStore.openHandles(url: db), 2)
        XCTAssertThrowsError(try Keepsake.open(path: db.path, timeZone: "UTC"))
        second.close()
        XCTAssertEqual(KeepsakeStore.openHandles(url: db), 1)
        XCTAssertThrowsError(try second.consent())
        _ = try store.sync(Array(try records().prefix(2)), full: false)
        try store.grant(.pixels)
        struct Boom: Error {}
        let failing = try store.analyze(progress: { _, _ in throw Boom() })
        XCTAssertThrowsError(try failing.wait(timeout: 120)) { error in
            guard case .listenerFailed = error as? KeepsakeError else {
                return XCTFail("expected listenerFailed, got \(error)")
            }
        }
        store.close()
        XCTAssertEqual(KeepsakeStore.openHandles(url: db), 0)
        XCTAssertThrowsError(try store.consent()) { error in
            XCTAssertEqual(error as? KeepsakeError, .closed)
        }
    }
}

import Foundation

/// Errors an app acts on (the bindings' `ApiError`, made public and Swift-shaped).
public enum KeepsakeError: Error, Equatable {
    /// Ask the user for consent to this scope, then retry.
    case consentRequired(ConsentScope)
    /// Another store has this database open; close it first.
    case storeInUse
    /// The work was cancelled; what was committed is kept.
    case cancelled
    case invalidArgument(String)
    /// The database is damaged; delete it and index again.
    case corruptStore(String)
    case notFound(String)
    /// The store was closed.
    case closed
    /// A listener or pixel provider the app passed in threw.
    case listenerFailed(String)
    case other(String)

    static func from(_ error: Error) -> KeepsakeError {
        guard let api = error as? ApiError else {
            return .other(String(describing: error))
        }
        switch api {
        case .ConsentRequired(let scope): return .consentRequired(scope)
        case .StoreInUse: return .storeInUse
        case .Cancelled: return .cancelled
        case .InvalidArgument(let reason): return .invalidArgument(reason)
        case .CorruptStore(let reason): return .corruptStore(reason)
        case .NotFound(let what): return .notFound(what)
        case .Closed: return .closed
        case .ListenerFailed(let reason): return .listenerFailed(reason)
        case .Other(let reason): return .other(reason)
        }
    }
}

/// Runs `body`, turning binding errors into `KeepsakeError`.
@inline(__always)
func mapped<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw KeepsakeError.from(error)
    }
}

/// How a collage looks.
public struct CollageStyle: Equatable, Sendable {
    public var size: UInt32
    public var template: CollageTemplate?
    public var shape: CanvasShape?
    public var gutter: Double
    /// A classic effect over the collage, and its strength (0...1).
    public var effect: PhotoEffect?
    public var effectStrength: Float

    public init(
        size: UInt32 = 2048, template: CollageTemplate? = nil, shape: CanvasShape? = nil, gutter: Double = 0.01,
        effect: PhotoEffect? = nil, effectStrength: Float = 1.0
    ) {
        self.size = size
        self.template = template
        self.shape = shape
        self.gutter = gutter
        self.effect = effect
        self.effectStrength = effectStrength
    }

    var options: CollageOptions {
        CollageOptions(size: size, template: template, shape: shape, gutter: gutter, effect: effect, effectStrength: effectStrength)
    }
}

/// The Keepsake store for one database file: the idiomatic Swift face of the generated
/// bindings. Safe to use from any thread; calls that read photos or write the database
/// block, so call them off the main actor (a `Task.detached`, a background task). Close it
/// with `close()`; after that every call throws `KeepsakeError.closed`.
public final class KeepsakeStore: @unchecked Sendable {
    private let ffi: Keepsake
    private let lock = NSLock()
    private var isClosed = false

    /// Opens (or creates) the store at `url`.
    public init(url: URL, timeZone: TimeZone = .current) throws {
        ffi = try mapped { try Keepsake.open(path: url.path, timeZone: timeZone.identifier) }
    }

    private func live() throws -> Keepsake {
        lock.lock()
        defer { lock.unlock() }
        if isClosed {
            throw KeepsakeError.closed
        }
        return ffi
    }

    /// Indexes asset records; `full`: the batch is the whole library.
    public func sync(_ records: [AssetRecord], full: Bool) throws -> SyncSummary {
        let store = try live()
        return try mapped { try store.syncRecords(records: records, full: full) }
    }

    public func remove(_ ids: [String]) throws -> UInt64 {
        let store = try live()
        return try mapped { try store.removeAssets(ids: ids) }
    }

    public func consent() throws -> [ConsentScope: Bool] {
        let store = try live()
        let states = try mapped { try store.consentStatus() }
        return Dictionary(uniqueKeysWithValues: states.map { ($0.scope, $0.granted) })
    }

    public func grant(_ scopes: ConsentScope...) throws {
        let store = try live()
        for scope in scopes {
            try mapped { try store.grantConsent(scope: scope) }
        }
    }

    /// Revokes consent; everything derived under it is erased. Returns rows erased.
    @discardableResult
    public func revoke(_ scopes: ConsentScope...) throws -> UInt64 {
        let store = try live()
        var erased: UInt64 = 0
        for scope in scopes {
            erased += try mapped { try store.revokeConsent(scope: scope) }
        }
        return erased
    }

    /// Starts analysing in the background and returns at once. `progress` runs on a core
    /// thread; if it throws, the analysis stops and `Analysis.wait` throws
    /// `KeepsakeError.listenerFailed`.
    public func analyze(
        model: URL? = nil,
        embedder: URL? = nil,
        longSide: UInt32 = 640,
        threads: UInt32 = 0,
        progress: @escaping @Sendable (UInt64, UInt64?) throws -> Void = { _, _ in }
    ) throws -> Analysis {
        let store = try live()
        let options = AnalysisOptions(
            modelPath: model?.path, longSide: longSide, threads: threads, embedderPath: embedder?.path)
        let listener = ProgressRelay(progress)
        return Analysis(try mapped { try store.startAnalysis(options: options, listener: listener) })
    }

    /// Suggestions at `now`, best first.
    public func suggestions(at now: Date = Date(), months: [UInt32] = []) throws -> [Suggestion] {
        let store = try live()
        return try mapped { try store.suggestions(nowMs: now.millis, months: months) }
    }

    public func dismiss(_ suggestionId: String) throws {
        let store = try live()
        try mapped { try store.dismissSuggestion(id: suggestionId) }
    }

    /// The collage layout of a suggestion, for apps that draw it themselves.
    public func layout(for suggestionId: String, style: CollageStyle = CollageStyle(), at now: Date = Date()) throws -> CollageLayout {
        let store = try live()
        return try mapped { try store.collageLayout(suggestionId: suggestionId, nowMs: now.millis, options: style.options) }
    }

    /// The app's pixels for photos without a file path (PhotoKit): analysis, the people
    /// pass, collages and stories ask it (see `PhotoKitPixels`). `nil` removes it.
    public func setPixelSource(_ source: PixelSource?) throws {
        let store = try live()
        try mapped { try store.setPixelSource(source: source) }
    }

    /// A suggestion's collage as JPEG or PNG bytes (PhotoKit photos come from the pixel
    /// source set with `setPixelSource`).
    public func collage(
        for suggestionId: String,
        style: CollageStyle = CollageStyle(),
        format: ImageFormat = .jpeg(quality: 88),
        at now: Date = Date()
    ) throws -> CollageImage {
        let store = try live()
        return try mapped {
            try store.renderCollage(suggestionId: suggestionId, nowMs: now.millis, options: style.options, format: format)
        }
    }

    /// One photo at `longSide`, with a classic effect over it when given (needs the
    /// pixels consent; nothing is stored).
    public func photo(
        _ assetId: String,
        longSide: UInt32 = 2048,
        format: ImageFormat = .jpeg(quality: 88),
        effect: PhotoEffect? = nil,
        strength: Float = 1.0
    ) throws -> CollageImage {
        let store = try live()
        return try mapped {
            try store.renderPhoto(assetId: assetId, longSide: longSide, format: format, effect: effect, effectStrength: strength)
        }
    }

    /// One photo repainted by the style network (`StyleNetwork(path:)` once, share it):
    /// `style` is a name from `network.styles()`, an index, or a blend
    /// `name:weight,name:weight`. About a second of work: call it off the main thread;
    /// `cancel` stops it within one network layer. Faces stay recognisable.
    public func restyle(
        _ assetId: String,
        network: StyleNetwork,
        style: String,
        strength: Float = 0.75,
        longSide: UInt32 = 1024,
        format: ImageFormat = .jpeg(quality: 88),
        cancel: CancelSignal? = nil,
        onProgress: @escaping @Sendable (UInt64, UInt64) throws -> Void = { _, _ in }
    ) throws -> CollageImage {
        let store = try live()
        return try mapped {
            try store.restylePhoto(
                assetId: assetId, network: network, style: style, strength: strength,
                longSide: longSide, format: format, cancel: cancel, listener: WorkRelay(onProgress))
        }
    }

    /// A player drawing a suggestion's recap story (Ken Burns toward faces, cross-fades,
    /// a title card) as RGBA frames for AVAssetWriter: ask frames in time order; a video
    /// has `durationMs() × fps / 1000` of them.
    public func storyPlayer(
        for suggestionId: String,
        width: UInt32,
        height: UInt32,
        effect: PhotoEffect? = nil,
        strength: Float = 1.0,
        at now: Date = Date()
    ) throws -> StoryPlayer {
        let store = try live()
        return try mapped {
            try store.storyPlayer(
                suggestionId: suggestionId, nowMs: now.millis, width: width, height: height,
                effect: effect, effectStrength: strength)
        }
    }

    /// A suggestion's collage repainted by the style network (faces kept recognisable).
    public func restyledCollage(
        for suggestionId: String,
        network: StyleNetwork,
        style: String,
        strength: Float = 0.75,
        collageStyle: CollageStyle = CollageStyle(),
        format: ImageFormat = .jpeg(quality: 88),
        at now: Date = Date(),
        cancel: CancelSignal? = nil,
        onProgress: @escaping @Sendable (UInt64, UInt64) throws -> Void = { _, _ in }
    ) throws -> CollageImage {
        let store = try live()
        return try mapped {
            try store.renderCollageRestyled(
                suggestionId: suggestionId, nowMs: now.millis, options: collageStyle.options, format: format,
                network: network, style: style, strength: strength, cancel: cancel,
                listener: WorkRelay(onProgress))
        }
    }

    /// A story player whose photos are restyled (once each) by the style network.
    public func storyPlayer(
        for suggestionId: String,
        width: UInt32,
        height: UInt32,
        network: StyleNetwork,
        style: String,
        strength: Float = 0.75,
        at now: Date = Date()
    ) throws -> StoryPlayer {
        let store = try live()
        return try mapped {
            try store.storyPlayerRestyled(
                suggestionId: suggestionId, nowMs: now.millis, width: width, height: height,
                network: network, style: style, strength: strength)
        }
    }

    /// One picture of a suggestion's story at `tMs` (a preview or a poster).
    public func storyFrame(for suggestionId: String, tMs: UInt64, width: UInt32, height: UInt32) throws -> StoryFrame {
        let store = try live()
        return try mapped { try store.storyFrame(suggestionId: suggestionId, tMs: tMs, width: width, height: height) }
    }

    /// The local audit log, oldest first: what was processed or made from photos, when.
    public func auditLog() throws -> [AuditEntry] {
        let store = try live()
        return try mapped { try store.auditLog() }
    }

    /// A recap story (JSON frames with Ken Burns rects) for the app to animate.
    public func storyJSON(for suggestionId: String, at now: Date = Date()) throws -> String {
        let store = try live()
        return try mapped { try store.recapStoryJson(suggestionId: suggestionId, nowMs: now.millis) }
    }

    /// Everything the store holds, as one JSON document.
    public func exportJSON() throws -> String {
        let store = try live()
        return try mapped { try store.exportJson() }
    }

    public func faces() throws -> [Face] {
        let store = try live()
        return try mapped { try store.faces() }
    }

    /// People (faces grouped by an analysis with an embedder), most photographed first.
    public func people() throws -> [Person] {
        let store = try live()
        return try mapped { try store.people() }
    }

    public func faces(of personId: Int64) throws -> [PersonFace] {
        let store = try live()
        return try mapped { try store.personFaces(personId: personId) }
    }

    /// Names a person; nil or blank clears the name.
    public func name(_ personId: Int64, _ name: String?) throws {
        let store = try live()
        try mapped { try store.namePerson(personId: personId, name: name) }
    }

    /// Sets or clears a birthday (feeds the birthday suggestions).
    public func setBirthday(_ personId: Int64, _ birthday: Birthday?) throws {
        let store = try live()
        try mapped { try store.setPersonBirthday(personId: personId, birthday: birthday) }
    }

    /// Keeps a person out of the people suggestions (their photos still appear).
    public func hidePerson(_ personId: Int64, hidden: Bool = true) throws {
        let store = try live()
        try mapped { try store.setPersonHidden(personId: personId, hidden: hidden) }
    }

    /// "Don't include me" for a person, new photos of them included; false undoes it.
    public func excludePerson(_ personId: Int64, excluded: Bool = true) throws {
        let store = try live()
        try mapped { try store.excludePerson(personId: personId, excluded: excluded) }
    }

    public func merge(into: Int64, from: Int64) throws {
        let store = try live()
        try mapped { try store.mergePeople(into: into, from: from) }
    }

    /// These faces are someone else: returns the new person's id.
    public func split(_ personId: Int64, faces: [Int64]) throws -> Int64 {
        let store = try live()
        return try mapped { try store.splitPerson(personId: personId, faceIds: faces) }
    }

    /// "Not this person".
    public func reject(face faceId: Int64) throws {
        let store = try live()
        try mapped { try store.rejectFace(faceId: faceId) }
    }

    public func assign(face faceId: Int64, to personId: Int64) throws {
        let store = try live()
        try mapped { try store.assignFace(faceId: faceId, personId: personId) }
    }

    /// Closes the store; calls still running finish first. Closing twice is fine.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if !isClosed {
            isClosed = true
            ffi.closeStore()
        }
    }

    deinit {
        close()
    }
}

/// A running analysis; `cancel()` (or releasing it) stops it, keeping committed work.
public final class Analysis: @unchecked Sendable {
    private let handle: AnalysisHandle

    init(_ handle: AnalysisHandle) {
        self.handle = handle
    }

    public func cancel() {
        handle.cancel()
    }

    public var isFinished: Bool {
        handle.isFinished()
    }

    /// Waits up to `timeout` seconds: the summary, or nil while it still runs. Throws the
    /// error that ended it.
    public func wait(timeout: TimeInterval = 600) throws -> AnalysisSummary? {
        let ms = UInt64(max(0, timeout) * 1000)
        return try mapped { try handle.wait(timeoutMs: ms) }
    }

    deinit {
        handle.cancel()
    }
}

final class ProgressRelay: AnalysisListener, @unchecked Sendable {
    private let body: @Sendable (UInt64, UInt64?) throws -> Void

    init(_ body: @escaping @Sendable (UInt64, UInt64?) throws -> Void) {
        self.body = body
    }

    func onProgress(done: UInt64, total: UInt64?) throws {
        do {
            try body(done, total)
        } catch {
            throw ListenerError.Failed(reason: String(describing: error))
        }
    }
}

final class WorkRelay: WorkListener, @unchecked Sendable {
    private let body: @Sendable (UInt64, UInt64) throws -> Void

    init(_ body: @escaping @Sendable (UInt64, UInt64) throws -> Void) {
        self.body = body
    }

    func onProgress(done: UInt64, total: UInt64) throws {
        do {
            try body(done, total)
        } catch {
            throw ListenerError.Failed(reason: String(describing: error))
        }
    }
}

extension Date {
    var millis: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }
}

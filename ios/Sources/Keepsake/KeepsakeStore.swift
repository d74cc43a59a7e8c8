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

/// One open store and how many handles share it.
final class SharedStore: @unchecked Sendable {
    let key: String
    let ffi: Keepsake
    var handles = 0

    init(key: String, ffi: Keepsake) {
        self.key = key
        self.ffi = ffi
    }
}

/// The stores this process has open, by database path.
enum StoreRegistry {
    static let lock = NSLock()
    static var stores: [String: SharedStore] = [:]
}

/// The Keepsake store for one database file: the idiomatic Swift face of the generated
/// bindings. Safe to use from any thread; calls that read photos or write the database
/// block, so call them off the main actor (a `Task.detached`, a background task).
///
/// One store per database file per process: every `KeepsakeStore(url:)` of the same file
/// (the app's screens, its `BackgroundAnalysis`) is a handle on the same open store, so
/// they never collide with `storeInUse` (which now means another process holds the file).
/// The store closes with its last handle; a closed handle throws `KeepsakeError.closed`
/// and leaves the others working.
public final class KeepsakeStore: @unchecked Sendable {
    private let shared: SharedStore
    private let lock = NSLock()
    private var isClosed = false

    /// Opens (or creates) the store at `url`, or a new handle on it when this process has
    /// it open already (then the first open's `timeZone` and `rebuildIfCorrupt` stand).
    /// `rebuildIfCorrupt`: a damaged database is erased and created anew
    /// (`rebuildReport()` says so; index the library and ask for consent again).
    public init(url: URL, timeZone: TimeZone = .current, rebuildIfCorrupt: Bool = false) throws {
        let key = url.standardizedFileURL.resolvingSymlinksInPath().path
        StoreRegistry.lock.lock()
        defer { StoreRegistry.lock.unlock() }
        if let existing = StoreRegistry.stores[key] {
            shared = existing
        } else {
            let ffi = try mapped {
                rebuildIfCorrupt
                    ? try Keepsake.openOrRebuild(path: url.path, timeZone: timeZone.identifier)
                    : try Keepsake.open(path: url.path, timeZone: timeZone.identifier)
            }
            shared = SharedStore(key: key, ffi: ffi)
            StoreRegistry.stores[key] = shared
        }
        shared.handles += 1
    }

    /// `KeepsakeStore(url:)` by its Kotlin name.
    public static func open(url: URL, timeZone: TimeZone = .current, rebuildIfCorrupt: Bool = false) throws -> KeepsakeStore {
        try KeepsakeStore(url: url, timeZone: timeZone, rebuildIfCorrupt: rebuildIfCorrupt)
    }

    /// How many handles this process holds on `url`'s store (0: not open).
    public static func openHandles(url: URL) -> Int {
        let key = url.standardizedFileURL.resolvingSymlinksInPath().path
        StoreRegistry.lock.lock()
        defer { StoreRegistry.lock.unlock() }
        return StoreRegistry.stores[key]?.handles ?? 0
    }

    /// Routes the core's logs to `sink` at `level` and above (once per process; trace
    /// level may contain file paths).
    public static func installLogSink(_ sink: LogSink, level: LogLevel = .info) {
        installLogger(sink: sink, maxLevel: level)
    }

    /// Changes the level of the installed sink.
    /// The attribution the place names' licence (CC BY 4.0) asks the app to show.
    public static func placeNamesAttribution() -> String {
        placesAttribution()
    }

    public static func logLevel(_ level: LogLevel) {
        setLogLevel(maxLevel: level)
    }

    private func live() throws -> Keepsake {
        lock.lock()
        defer { lock.unlock() }
        if isClosed {
            throw KeepsakeError.closed
        }
        return shared.ffi
    }

    /// Runs `body` on the open store, with binding errors as `KeepsakeError`.
    private func call<T>(_ body: (Keepsake) throws -> T) throws -> T {
        let store = try live()
        return try mapped { try body(store) }
    }

    /// What opening with `rebuildIfCorrupt` erased (nil: the store was sound).
    public func rebuildReport() throws -> RebuildReport? {
        try live().rebuildReport()
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
        classifier: URL? = nil,
        longSide: UInt32 = 640,
        threads: UInt32 = 0,
        progress: @escaping @Sendable (UInt64, UInt64?) throws -> Void = { _, _ in }
    ) throws -> Analysis {
        let store = try live()
        let options = AnalysisOptions(
            modelPath: model?.path, longSide: longSide, threads: threads, embedderPath: embedder?.path,
            classifierPath: classifier?.path)
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

    /// Photos showing `theme` (`pets`, `food`, `beach`, … `document`), best first.
    public func photosByTheme(_ theme: String) throws -> [ThemedPhoto] {
        try call { try $0.photosByTheme(theme: theme) }
    }

    /// Every classified photo with its themes and the classes behind them.
    public func photoThemes() throws -> [PhotoThemes] {
        try call { try $0.photoThemes() }
    }

    /// Loads the place names titles use (`url` from set-up), or removes them with `nil`.
    @discardableResult
    public func setPlaces(_ url: URL?) throws -> UInt64 {
        try call { try $0.setPlaces(path: url?.path) }
    }

    /// People (faces grouped by an analysis with an embedder), most photographed first.
    public func people() throws -> [Person] {
        let store = try live()
        return try mapped { try store.people() }
    }

    public func personFaces(_ personId: Int64) throws -> [PersonFace] {
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

    /// Hides a photo from every suggestion (false: shows it again).
    public func hide(_ assetId: String, hidden: Bool = true) throws {
        try call { try $0.setAssetHidden(assetId: assetId, hidden: hidden) }
    }

    /// `collage(for:)` written to `url` (whole or not at all); the returned image has no bytes.
    public func collageToFile(
        for suggestionId: String,
        url: URL,
        style: CollageStyle = CollageStyle(),
        format: ImageFormat = .jpeg(quality: 88),
        at now: Date = Date()
    ) throws -> CollageImage {
        try call {
            try $0.renderCollageToFile(
                suggestionId: suggestionId, nowMs: now.millis, options: style.options, format: format, path: url.path)
        }
    }

    /// "Don't include me": photos holding these faces never enter a suggestion or collage.
    public func excludeFaces(_ ids: [Int64]) throws -> UInt64 {
        try call { try $0.excludeFaces(faceIds: ids) }
    }

    /// The assets whose capture time falls in the last `days` days at `now`.
    public func assetsInWindow(at now: Date = Date(), days: UInt32 = 30) throws -> [IndexedAsset] {
        try call { try $0.assetsInWindow(nowMs: now.millis, days: days) }
    }

    /// The window of the last `days` calendar days at `now`.
    public func recentWindow(at now: Date = Date(), days: UInt32 = 30) throws -> RecentWindow {
        try call { try $0.recentWindow(nowMs: now.millis, days: days) }
    }

    /// The timeline cut into moments (needs the suggestions consent).
    public func moments() throws -> [Moment] {
        try call { try $0.moments() }
    }

    /// Trips away from home (`awayKm` from it).
    public func trips(awayKm: Double = 50) throws -> [Trip] {
        try call { try $0.trips(awayKm: awayKm) }
    }

    /// Sets the user's home (replaces the inferred homes); nil goes back to inferring.
    public func home(_ home: Coordinates?) throws {
        let store = try live()
        try mapped {
            if let home {
                try store.setHome(home: home)
            } else {
                try store.clearHome()
            }
        }
    }

    /// The home the user set, or nil when homes are inferred.
    public func userHome() throws -> Coordinates? {
        try call { try $0.userHome() }
    }

    /// The homes trips are measured from: the user's or the inferred ones.
    public func homes(awayKm: Double = 50) throws -> [Home] {
        try call { try $0.homes(awayKm: awayKm) }
    }

    /// Brings a dismissed suggestion back; false when it was not dismissed.
    public func undismiss(_ suggestionId: String) throws -> Bool {
        try call { try $0.undismissSuggestion(id: suggestionId) }
    }

    public func dismissed() throws -> [String] {
        try call { try $0.dismissedSuggestions() }
    }

    /// Keeps a time range out of every suggestion; returns the range's id.
    public func hideRange(from start: Date, to end: Date) throws -> Int64 {
        try call { try $0.hideRange(startMs: start.millis, endMs: end.millis) }
    }

    public func hiddenRanges() throws -> [HiddenRange] {
        try call { try $0.hiddenRanges() }
    }

    /// Shows a hidden range again; false when there was none with this id.
    public func removeHiddenRange(_ id: Int64) throws -> Bool {
        try call { try $0.removeHiddenRange(id: id) }
    }

    /// Marks a place as sensitive: no photo within `radiusM` metres of it is ever suggested.
    public func addSensitivePlace(lat: Double, lon: Double, radiusM: Double) throws -> Int64 {
        try call { try $0.addSensitivePlace(lat: lat, lon: lon, radiusM: radiusM) }
    }

    public func sensitivePlaces() throws -> [SensitivePlace] {
        try call { try $0.sensitivePlaces() }
    }

    /// Unmarks a sensitive place; false when there was none with this id.
    public func removeSensitivePlace(_ id: Int64) throws -> Bool {
        try call { try $0.removeSensitivePlace(id: id) }
    }

    /// Keeps an album's photos out of suggestions (false: back in).
    public func excludeAlbum(_ album: String, excluded: Bool = true) throws {
        try call { try $0.setAlbumExcluded(album: album, excluded: excluded) }
    }

    public func excludedAlbums() throws -> [String] {
        try call { try $0.excludedAlbums() }
    }

    public func junkAlbums() throws -> JunkAlbums {
        try call { try $0.junkAlbums() }
    }

    /// Replaces the junk-album setting (names in the device's language, say).
    public func junkAlbums(_ junk: JunkAlbums) throws {
        try call { try $0.setJunkAlbums(junk: junk) }
    }

    /// Adds a birthday, anniversary or other date; returns its id.
    public func addSpecialDate(_ date: SpecialDate) throws -> Int64 {
        try call { try $0.addSpecialDate(date: date) }
    }

    public func removeSpecialDate(_ id: Int64) throws -> Bool {
        try call { try $0.removeSpecialDate(id: id) }
    }

    public func specialDates() throws -> [SpecialDate] {
        try call { try $0.specialDates() }
    }

    /// Forgets photos: their rows and everything derived from them are erased, and later
    /// syncs skip them.
    public func forget(_ assetIds: [String]) throws -> PurgeSummary {
        try call { try $0.forget(assetIds: assetIds) }
    }

    /// Closes this handle; the store itself closes with the last handle of the process
    /// (calls still running finish first). Closing twice is fine.
    public func close() {
        lock.lock()
        let wasOpen = !isClosed
        isClosed = true
        lock.unlock()
        guard wasOpen else { return }
        StoreRegistry.lock.lock()
        shared.handles -= 1
        let last = shared.handles == 0
        if last {
            StoreRegistry.stores.removeValue(forKey: shared.key)
        }
        StoreRegistry.lock.unlock()
        if last {
            shared.ffi.closeStore()
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

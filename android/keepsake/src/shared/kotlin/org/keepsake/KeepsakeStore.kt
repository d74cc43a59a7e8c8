package org.keepsake

import java.io.File
import java.time.Duration
import java.time.Instant
import java.time.YearMonth
import java.util.TimeZone
import uniffi.keepsake_ffi.AnalysisHandle
import uniffi.keepsake_ffi.AnalysisListener
import uniffi.keepsake_ffi.AnalysisOptions
import uniffi.keepsake_ffi.AnalysisSummary
import uniffi.keepsake_ffi.ApiException
import uniffi.keepsake_ffi.AssetRecord
import uniffi.keepsake_ffi.AuditEntry
import uniffi.keepsake_ffi.Birthday
import uniffi.keepsake_ffi.CancelSignal
import uniffi.keepsake_ffi.CanvasShape
import uniffi.keepsake_ffi.CollageImage
import uniffi.keepsake_ffi.CollageLayout
import uniffi.keepsake_ffi.CollageOptions
import uniffi.keepsake_ffi.CollageTemplate
import uniffi.keepsake_ffi.ConsentScope
import uniffi.keepsake_ffi.Coordinates
import uniffi.keepsake_ffi.Face
import uniffi.keepsake_ffi.HiddenRange
import uniffi.keepsake_ffi.Home
import uniffi.keepsake_ffi.ImageFormat
import uniffi.keepsake_ffi.IndexedAsset
import uniffi.keepsake_ffi.JunkAlbums
import uniffi.keepsake_ffi.Keepsake
import uniffi.keepsake_ffi.ListenerException
import uniffi.keepsake_ffi.LogLevel
import uniffi.keepsake_ffi.LogSink
import uniffi.keepsake_ffi.Moment
import uniffi.keepsake_ffi.Person
import uniffi.keepsake_ffi.PersonFace
import uniffi.keepsake_ffi.PhotoEffect
import uniffi.keepsake_ffi.PhotoThemes
import uniffi.keepsake_ffi.PixelSource
import uniffi.keepsake_ffi.PurgeSummary
import uniffi.keepsake_ffi.RebuildReport
import uniffi.keepsake_ffi.RecentWindow
import uniffi.keepsake_ffi.SensitivePlace
import uniffi.keepsake_ffi.SpecialDate
import uniffi.keepsake_ffi.StoryFrame
import uniffi.keepsake_ffi.StoryPlayer
import uniffi.keepsake_ffi.StyleNetwork
import uniffi.keepsake_ffi.Suggestion
import uniffi.keepsake_ffi.SyncSummary
import uniffi.keepsake_ffi.ThemedPhoto
import uniffi.keepsake_ffi.Trip
import uniffi.keepsake_ffi.WorkListener
import uniffi.keepsake_ffi.installLogger
import uniffi.keepsake_ffi.placesAttribution
import uniffi.keepsake_ffi.setLogLevel

/**
 * The Keepsake store for one database file: the idiomatic Kotlin face of the generated
 * bindings. Open it with [open], use it from any thread, close it with [close] (or `use {}`).
 *
 * One store per database file per process: every [open] of the same file (the app's
 * screens, its background job) returns a handle on the same open store, so they never
 * collide with [ApiException.StoreInUse] (which now means another *process* holds the
 * file). The store closes when its last handle closes; a closed handle throws
 * [IllegalStateException] and leaves the others working.
 *
 * Every call that reads photos or writes the database blocks: call it off the main thread
 * (a coroutine on `Dispatchers.IO`, a background job). Nothing here holds a lock the UI
 * thread needs: calls run in parallel, writes queue for the single writer.
 *
 * Errors are [ApiException]s (consent required, store in use, cancelled, invalid argument,
 * corrupt store, not found, closed, listener failed).
 */
class KeepsakeStore private constructor(private val shared: Shared) : AutoCloseable {
    @Volatile private var closed = false

    /** One open store and how many handles share it. */
    private class Shared(val key: String, val ffi: Keepsake) {
        var handles = 0
    }

    companion object {
        private val stores = HashMap<String, Shared>()

        /**
         * Opens (or creates) the store at [file], or returns a new handle on it when this
         * process has it open already (then [timeZone] and [rebuildIfCorrupt] of the first
         * open stand). [rebuildIfCorrupt]: a damaged database is erased and created anew
         * ([rebuildReport] says so; index the library and ask for consent again).
         */
        @JvmStatic
        @JvmOverloads
        fun open(
            file: File,
            timeZone: String = TimeZone.getDefault().id,
            rebuildIfCorrupt: Boolean = false,
        ): KeepsakeStore = synchronized(stores) {
            val key = file.absoluteFile.canonicalPath
            val shared = stores[key] ?: Shared(
                key,
                if (rebuildIfCorrupt) Keepsake.openOrRebuild(file.path, timeZone) else Keepsake.open(file.path, timeZone),
            ).also { stores[key] = it }
            shared.handles += 1
            KeepsakeStore(shared)
        }

        /** How many handles this process holds on [file]'s store (0: not open). */
        @JvmStatic
        fun openHandles(file: File): Int = synchronized(stores) {
            stores[file.absoluteFile.canonicalPath]?.handles ?: 0
        }

        /** Routes the core's logs to [sink] at [level] and above (once per process; trace
         * level may contain file paths). */
        @JvmStatic
        fun installLogSink(sink: LogSink, level: LogLevel = LogLevel.INFO) = installLogger(sink, level)

        /** Changes the level of the installed sink. */
        @JvmStatic
        fun logLevel(level: LogLevel) = setLogLevel(level)

        /** The attribution the place names' licence (CC BY 4.0) asks the app to show. */
        fun placeNamesAttribution(): String = placesAttribution()
    }

    private fun live(): Keepsake {
        check(!closed) { "KeepsakeStore is closed" }
        return shared.ffi
    }

    /** What opening with `rebuildIfCorrupt` erased (null: the store was sound). */
    fun rebuildReport(): RebuildReport? = live().rebuildReport()

    /** Indexes host records. [full]: the batch is the whole library (absent assets go). */
    fun sync(records: List<AssetRecord>, full: Boolean): SyncSummary = live().syncRecords(records, full)

    /** Removes assets the host reported deleted, with everything derived from them. */
    fun remove(ids: List<String>): Long = live().removeAssets(ids).toLong()

    fun consent(): Map<ConsentScope, Boolean> = live().consentStatus().associate { it.scope to it.granted }

    fun grant(vararg scopes: ConsentScope) = scopes.forEach { live().grantConsent(it) }

    /** The local audit log, oldest first: what was processed or made from photos, when. */
    fun auditLog(): List<AuditEntry> = live().auditLog()

    /** Revokes consent; everything derived under it is erased. Returns rows erased. */
    fun revoke(vararg scopes: ConsentScope): Long = scopes.sumOf { live().revokeConsent(it).toLong() }

    /**
     * Starts analysing in the background and returns at once. [onProgress] is called from a
     * core thread with (done, total or null); if it throws, the analysis stops and
     * [Analysis.await] throws [ApiException.ListenerFailed]. Close the returned [Analysis]
     * (or cancel it) to stop early; what was committed is kept and the next run resumes.
     */
    @JvmOverloads
    private fun progress(onProgress: (done: Long, total: Long) -> Unit) = object : WorkListener {
        override fun onProgress(done: ULong, total: ULong) {
            try {
                onProgress(done.toLong(), total.toLong())
            } catch (e: Exception) {
                throw ListenerException.Failed(e.toString())
            }
        }
    }

    fun analyze(
        model: File? = null,
        embedder: File? = null,
        classifier: File? = null,
        longSide: Int = 640,
        threads: Int = 0,
        onProgress: (done: Long, total: Long?) -> Unit = { _, _ -> },
    ): Analysis {
        val listener = object : AnalysisListener {
            override fun onProgress(done: ULong, total: ULong?) {
                try {
                    onProgress(done.toLong(), total?.toLong())
                } catch (e: Exception) {
                    throw ListenerException.Failed(e.toString())
                }
            }
        }
        val options = AnalysisOptions(model?.path, longSide.toUInt(), threads.toUInt(), embedder?.path, classifier?.path)
        return Analysis(live().startAnalysis(options, listener))
    }

    /** Suggestions at [now], best first; [months] asks for extra monthly recaps. */
    @JvmOverloads
    fun suggestions(now: Instant = Instant.now(), months: List<YearMonth> = emptyList()): List<Suggestion> =
        live().suggestions(now.toEpochMilli(), months.map { (it.year * 100 + it.monthValue).toUInt() })

    fun dismiss(suggestionId: String) = live().dismissSuggestion(suggestionId)

    fun hide(assetId: String, hidden: Boolean = true) = live().setAssetHidden(assetId, hidden)

    /** The collage layout of a suggestion, for apps that draw it themselves. */
    fun layout(suggestionId: String, style: CollageStyle = CollageStyle(), now: Instant = Instant.now()): CollageLayout =
        live().collageLayout(suggestionId, now.toEpochMilli(), style.options())

    /**
     * The app's pixels for photos without a file path (MediaStore `content://` ids): analysis,
     * the people pass, collages and stories ask [source] from core threads, one call per
     * worker at a time. It answers with the original's bytes or decoded RGBA, or throws a
     * [uniffi.keepsake_ffi.PixelException] (gone, not downloaded, permission denied, busy).
     * `null` removes it; without one such photos wait.
     */
    fun setPixelSource(source: PixelSource?) = live().setPixelSource(source)

    /** A suggestion's collage as JPEG or PNG bytes (photos without a file come from the pixel source). */
    @JvmOverloads
    fun collage(
        suggestionId: String,
        style: CollageStyle = CollageStyle(),
        format: ImageFormat = ImageFormat.Jpeg(88u),
        now: Instant = Instant.now(),
    ): CollageImage = live().renderCollage(suggestionId, now.toEpochMilli(), style.options(), format)

    /** [collage] written to [file] (whole or not at all). */
    @JvmOverloads
    fun collageToFile(
        suggestionId: String,
        file: File,
        style: CollageStyle = CollageStyle(),
        format: ImageFormat = ImageFormat.Jpeg(88u),
        now: Instant = Instant.now(),
    ): CollageImage =
        live().renderCollageToFile(suggestionId, now.toEpochMilli(), style.options(), format, file.path)

    /** One photo at [longSide], with a classic [effect] over it when given (needs the pixels consent). */
    @JvmOverloads
    fun photo(
        assetId: String,
        longSide: Int = 2048,
        format: ImageFormat = ImageFormat.Jpeg(88u),
        effect: PhotoEffect? = null,
        strength: Float = 1.0f,
    ): CollageImage = live().renderPhoto(assetId, longSide.toUInt(), format, effect, strength)

    /**
     * One photo repainted by the style network ([StyleNetwork.load] once, share it):
     * [style] is a name from [StyleNetwork.styles], an index, or a blend
     * `name:weight,name:weight`. About a second of work: call it off the main thread;
     * [cancel] stops it within one network layer. Faces stay recognisable.
     */
    fun restyle(
        assetId: String,
        network: StyleNetwork,
        style: String,
        strength: Float = 0.75f,
        longSide: Int = 1024,
        format: ImageFormat = ImageFormat.Jpeg(88u),
        cancel: CancelSignal? = null,
        onProgress: (done: Long, total: Long) -> Unit = { _, _ -> },
    ): CollageImage = live().restylePhoto(
        assetId, network, style, strength, longSide.toUInt(), format, cancel, progress(onProgress),
    )

    /**
     * A player drawing a suggestion's recap story (Ken Burns toward faces, cross-fades, a
     * title card) at [width] × [height] RGBA frames, for MediaCodec: ask frames in time
     * order; a video has `durationMs() × fps / 1000` of them.
     */
    fun storyPlayer(
        suggestionId: String,
        width: Int,
        height: Int,
        effect: PhotoEffect? = null,
        strength: Float = 1.0f,
        now: Instant = Instant.now(),
    ): StoryPlayer = live().storyPlayer(suggestionId, now.toEpochMilli(), width.toUInt(), height.toUInt(), effect, strength)

    /** A suggestion's collage repainted by the style network (faces kept recognisable). */
    fun restyledCollage(
        suggestionId: String,
        network: StyleNetwork,
        style: String,
        strength: Float = 0.75f,
        collageStyle: CollageStyle = CollageStyle(),
        format: ImageFormat = ImageFormat.Jpeg(88u),
        now: Instant = Instant.now(),
        cancel: CancelSignal? = null,
        onProgress: (done: Long, total: Long) -> Unit = { _, _ -> },
    ): CollageImage = live().renderCollageRestyled(
        suggestionId, now.toEpochMilli(), collageStyle.options(), format, network, style, strength, cancel,
        progress(onProgress),
    )

    /** A story player whose photos are restyled (once each) by the style network. */
    fun storyPlayer(
        suggestionId: String,
        width: Int,
        height: Int,
        network: StyleNetwork,
        style: String,
        strength: Float = 0.75f,
        now: Instant = Instant.now(),
    ): StoryPlayer = live().storyPlayerRestyled(
        suggestionId, now.toEpochMilli(), width.toUInt(), height.toUInt(), network, style, strength,
    )

    /** One picture of a suggestion's story at [tMs] (a preview or a poster). */
    fun storyFrame(suggestionId: String, tMs: Long, width: Int, height: Int): StoryFrame =
        live().storyFrame(suggestionId, tMs.toULong(), width.toUInt(), height.toUInt())

    /** A recap story (JSON frames with Ken Burns rects) for the app to animate. */
    fun storyJson(suggestionId: String, now: Instant = Instant.now()): String =
        live().recapStoryJson(suggestionId, now.toEpochMilli())

    /** Everything the store holds, as one JSON document. */
    fun exportJson(): String = live().exportJson()

    fun faces(): List<Face> = live().faces()

    /** Photos showing [theme] (`pets`, `food`, `beach`, … `document`), best first. */
    fun photosByTheme(theme: String): List<ThemedPhoto> = live().photosByTheme(theme)

    /** Every classified photo with its themes and the classes behind them. */
    fun photoThemes(): List<PhotoThemes> = live().photoThemes()

    /** Loads the place names titles use ([file] from set-up), or removes them with `null`. */
    fun setPlaces(file: File?): Long = live().setPlaces(file?.path).toLong()

    /** "Don't include me": photos holding these faces never enter a suggestion or collage. */
    fun excludeFaces(ids: List<Long>): Long = live().excludeFaces(ids).toLong()

    /** People (faces grouped by an analysis with an embedder), most photographed first. */
    fun people(): List<Person> = live().people()

    fun personFaces(personId: Long): List<PersonFace> = live().personFaces(personId)

    /** Names a person; null or blank clears the name. */
    fun name(personId: Long, name: String?) = live().namePerson(personId, name)

    /** Sets or clears a birthday (feeds the birthday suggestions). */
    fun birthday(personId: Long, birthday: Birthday?) = live().setPersonBirthday(personId, birthday)

    /** Keeps a person out of the people suggestions (their photos still appear). */
    fun hidePerson(personId: Long, hidden: Boolean = true) = live().setPersonHidden(personId, hidden)

    /** "Don't include me" for a person, new photos of them included; false undoes it. */
    fun excludePerson(personId: Long, excluded: Boolean = true) = live().excludePerson(personId, excluded)

    fun merge(into: Long, from: Long) = live().mergePeople(into, from)

    /** These faces are someone else: returns the new person's id. */
    fun split(personId: Long, faceIds: List<Long>): Long = live().splitPerson(personId, faceIds)

    /** "Not this person". */
    fun reject(faceId: Long) = live().rejectFace(faceId)

    fun assign(faceId: Long, personId: Long) = live().assignFace(faceId, personId)

    /** The assets whose capture time falls in the last [days] days at [now]. */
    @JvmOverloads
    fun assetsInWindow(now: Instant = Instant.now(), days: Int = 30): List<IndexedAsset> =
        live().assetsInWindow(now.toEpochMilli(), days.toUInt())

    /** The window of the last [days] calendar days at [now] (its bounds, in the store's zone). */
    @JvmOverloads
    fun recentWindow(now: Instant = Instant.now(), days: Int = 30): RecentWindow =
        live().recentWindow(now.toEpochMilli(), days.toUInt())

    /** The timeline cut into moments (needs the suggestions consent). */
    fun moments(): List<Moment> = live().moments()

    /** Trips away from home ([awayKm] from it). */
    @JvmOverloads
    fun trips(awayKm: Double = 50.0): List<Trip> = live().trips(awayKm)

    /** Sets the user's home (replaces the inferred homes); null goes back to inferring. */
    fun home(home: Coordinates?) = if (home == null) live().clearHome() else live().setHome(home)

    /** The home the user set, or null when homes are inferred. */
    fun userHome(): Coordinates? = live().userHome()

    /** The homes trips are measured from: the user's or the inferred ones. */
    @JvmOverloads
    fun homes(awayKm: Double = 50.0): List<Home> = live().homes(awayKm)

    /** Brings a dismissed suggestion back; false when it was not dismissed. */
    fun undismiss(suggestionId: String): Boolean = live().undismissSuggestion(suggestionId)

    fun dismissed(): List<String> = live().dismissedSuggestions()

    /** Keeps a time range out of every suggestion; returns the range's id. */
    fun hideRange(start: Instant, end: Instant): Long = live().hideRange(start.toEpochMilli(), end.toEpochMilli())

    fun hiddenRanges(): List<HiddenRange> = live().hiddenRanges()

    /** Shows a hidden range again; false when there was none with this id. */
    fun removeHiddenRange(id: Long): Boolean = live().removeHiddenRange(id)

    /** Marks a place as sensitive: no photo within [radiusM] metres of it is ever suggested. */
    fun addSensitivePlace(lat: Double, lon: Double, radiusM: Double): Long = live().addSensitivePlace(lat, lon, radiusM)

    fun sensitivePlaces(): List<SensitivePlace> = live().sensitivePlaces()

    /** Unmarks a sensitive place; false when there was none with this id. */
    fun removeSensitivePlace(id: Long): Boolean = live().removeSensitivePlace(id)

    /** Keeps an album's photos out of suggestions (false: back in). */
    fun excludeAlbum(album: String, excluded: Boolean = true) = live().setAlbumExcluded(album, excluded)

    fun excludedAlbums(): List<String> = live().excludedAlbums()

    fun junkAlbums(): JunkAlbums = live().junkAlbums()

    /** Replaces the junk-album setting (names in the device's language, say). */
    fun junkAlbums(junk: JunkAlbums) = live().setJunkAlbums(junk)

    /** Adds a birthday, anniversary or other date; returns its id. */
    fun addSpecialDate(date: SpecialDate): Long = live().addSpecialDate(date)

    fun removeSpecialDate(id: Long): Boolean = live().removeSpecialDate(id)

    fun specialDates(): List<SpecialDate> = live().specialDates()

    /** Forgets photos: their rows and everything derived from them are erased, and later
     * syncs skip them. */
    fun forget(assetIds: List<String>): PurgeSummary = live().forget(assetIds)

    /**
     * Closes this handle; the store itself closes with the last handle of the process
     * (calls still running finish first). Closing twice is fine.
     */
    override fun close() {
        synchronized(stores) {
            if (closed) return
            closed = true
            shared.handles -= 1
            if (shared.handles > 0) return
            stores.remove(shared.key)
        }
        shared.ffi.closeStore()
        shared.ffi.close()
    }
}

/** How a collage looks. */
data class CollageStyle(
    val size: Int = 2048,
    val template: CollageTemplate? = null,
    val shape: CanvasShape? = null,
    val gutter: Double = 0.01,
    /** A classic effect over the collage, and its strength (0..1). */
    val effect: PhotoEffect? = null,
    val effectStrength: Float = 1.0f,
) {
    internal fun options() = CollageOptions(size.toUInt(), template, shape, gutter, effect, effectStrength)
}

/** A running analysis. [close] cancels it (and is what `use {}` calls). */
class Analysis internal constructor(private val handle: AnalysisHandle) : AutoCloseable {
    fun cancel() = handle.cancel()

    val isFinished: Boolean get() = handle.isFinished()

    /** Waits for the end: the summary, or null after [timeout]. Throws the error that ended
     * it ([ApiException.Cancelled], [ApiException.ListenerFailed], …). */
    fun await(timeout: Duration = Duration.ofMinutes(10)): AnalysisSummary? =
        handle.wait(timeout.toMillis().coerceAtLeast(0).toULong())

    override fun close() {
        handle.cancel()
        handle.close()
    }
}

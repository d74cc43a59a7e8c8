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
import uniffi.keepsake_ffi.Face
import uniffi.keepsake_ffi.ImageFormat
import uniffi.keepsake_ffi.Keepsake
import uniffi.keepsake_ffi.ListenerException
import uniffi.keepsake_ffi.Person
import uniffi.keepsake_ffi.PersonFace
import uniffi.keepsake_ffi.PhotoEffect
import uniffi.keepsake_ffi.PixelSource
import uniffi.keepsake_ffi.StoryFrame
import uniffi.keepsake_ffi.StoryPlayer
import uniffi.keepsake_ffi.StyleNetwork
import uniffi.keepsake_ffi.Suggestion
import uniffi.keepsake_ffi.SyncSummary
import uniffi.keepsake_ffi.WorkListener

/**
 * The Keepsake store for one database file: the idiomatic Kotlin face of the generated
 * bindings. Open it with [open], use it from any thread, close it with [close] (or `use {}`).
 *
 * Every call that reads photos or writes the database blocks: call it off the main thread
 * (a coroutine on `Dispatchers.IO`, a WorkManager worker). Nothing here holds a lock the UI
 * thread needs: calls run in parallel, writes queue for the single writer.
 *
 * Errors are [ApiException]s (consent required, store in use, cancelled, invalid argument,
 * corrupt store, not found, closed, listener failed); after [close], every call throws
 * [IllegalStateException].
 */
class KeepsakeStore private constructor(private val ffi: Keepsake) : AutoCloseable {
    @Volatile private var closed = false

    companion object {
        /** Opens (or creates) the store at [file]. A second open of the same file fails with
         * [ApiException.StoreInUse] until the first is closed. */
        @JvmStatic
        @JvmOverloads
        fun open(file: File, timeZone: String = TimeZone.getDefault().id): KeepsakeStore =
            KeepsakeStore(Keepsake.open(file.path, timeZone))
    }

    private fun live(): Keepsake {
        check(!closed) { "KeepsakeStore is closed" }
        return ffi
    }

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
        val options = AnalysisOptions(model?.path, longSide.toUInt(), threads.toUInt(), embedder?.path)
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

    /** Closes the store; calls still running finish first. Closing twice is fine. */
    override fun close() {
        if (closed) return
        closed = true
        ffi.closeStore()
        ffi.close()
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

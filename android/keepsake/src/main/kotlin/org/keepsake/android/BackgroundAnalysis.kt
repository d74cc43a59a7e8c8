package org.keepsake.android

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.os.PersistableBundle
import java.io.File
import java.time.Duration
import org.keepsake.Analysis
import org.keepsake.KeepsakeStore
import uniffi.keepsake_ffi.AnalysisSummary
import uniffi.keepsake_ffi.ApiException
import uniffi.keepsake_ffi.PixelSource

/**
 * One background pass over an app's store: a MediaStore sync (when the app may read
 * photos), then analysis through the pixel source, on the app's own store — the same
 * [KeepsakeStore] handle the app's screens hold ([KeepsakeStore.open] shares it within the
 * process), so the two never collide.
 *
 * [run] blocks until the pass ends; [stop] (any thread) cancels it through the analysis
 * handle within a photo: committed work is kept and the next pass resumes where this one
 * stopped. [AnalysisJobService] runs it as a JobScheduler job; an app's own WorkManager
 * Worker can call it the same way (see the README).
 */
class BackgroundAnalysis @JvmOverloads constructor(
    private val context: Context,
    val options: Options,
    private val pixels: PixelSource = MediaStorePixels(context),
) {
    /** What the pass works on; kept in a job's extras. */
    data class Options(
        val db: File,
        val model: File? = null,
        val embedder: File? = null,
        val syncFirst: Boolean = true,
    ) {
        fun toExtras(): PersistableBundle = PersistableBundle().apply {
            putString(KEY_DB, db.path)
            model?.let { putString(KEY_MODEL, it.path) }
            embedder?.let { putString(KEY_EMBEDDER, it.path) }
            putBoolean(KEY_SYNC, syncFirst)
        }

        companion object {
            const val KEY_DB = "keepsake.db"
            const val KEY_MODEL = "keepsake.model"
            const val KEY_EMBEDDER = "keepsake.embedder"
            const val KEY_SYNC = "keepsake.sync"

            /** Null when the extras hold no database (a job scheduled by someone else). */
            @JvmStatic
            fun fromExtras(extras: PersistableBundle): Options? {
                val db = extras.getString(KEY_DB)?.takeIf { it.isNotBlank() } ?: return null
                return Options(
                    File(db),
                    extras.getString(KEY_MODEL)?.let(::File),
                    extras.getString(KEY_EMBEDDER)?.let(::File),
                    extras.getBoolean(KEY_SYNC, true),
                )
            }
        }
    }

    /** How a pass ended, and whether the scheduler should run it again. */
    enum class Outcome(val reschedule: Boolean) {
        /** Everything analysable was analysed. */
        FINISHED(false),

        /** [stop] was called (constraints lapsed, the system needed the resources). */
        STOPPED(true),

        /** No consent for pixels: nothing runs until the user grants it. */
        NO_CONSENT(false),

        /** Another process holds the database. */
        STORE_BUSY(true),

        /** A damaged store, a missing model: retrying does not help. */
        FAILED(false),
    }

    @Volatile private var stopped = false
    @Volatile private var analysis: Analysis? = null

    /** The finished pass's summary (null until a pass finishes). */
    @Volatile var summary: AnalysisSummary? = null
        private set

    /** Last progress: photos done, and the total when known. */
    @Volatile var progress: Pair<Long, Long?> = 0L to null
        private set

    fun run(): Outcome {
        if (stopped) return Outcome.STOPPED
        return try {
            KeepsakeStore.open(options.db).use { store ->
                if (options.syncFirst && canReadPhotos()) MediaStoreSource(context).sync(store)
                store.setPixelSource(pixels)
                val run = store.analyze(options.model, options.embedder) { done, total -> progress = done to total }
                analysis = run
                // A stop that raced the start.
                if (stopped) run.cancel()
                run.use {
                    var summary = run.await(Duration.ofSeconds(1))
                    while (summary == null && !stopped) summary = run.await(Duration.ofSeconds(1))
                    this.summary = summary
                    if (summary == null) Outcome.STOPPED else Outcome.FINISHED
                }
            }
        } catch (e: ApiException.Cancelled) {
            Outcome.STOPPED
        } catch (e: ApiException.ConsentRequired) {
            Outcome.NO_CONSENT
        } catch (e: ApiException.StoreInUse) {
            Outcome.STORE_BUSY
        } catch (e: ApiException) {
            Outcome.FAILED
        } finally {
            analysis = null
        }
    }

    /** Cancels the pass (idempotent, any thread); [run] returns [Outcome.STOPPED]. */
    fun stop() {
        stopped = true
        analysis?.cancel()
    }

    private fun canReadPhotos(): Boolean {
        fun granted(p: String) = context.checkSelfPermission(p) == PackageManager.PERMISSION_GRANTED
        return when {
            Build.VERSION.SDK_INT >= 34 ->
                granted(Manifest.permission.READ_MEDIA_IMAGES) || granted(Manifest.permission.READ_MEDIA_VISUAL_USER_SELECTED)
            Build.VERSION.SDK_INT >= 33 -> granted(Manifest.permission.READ_MEDIA_IMAGES)
            else -> granted(Manifest.permission.READ_EXTERNAL_STORAGE)
        }
    }
}

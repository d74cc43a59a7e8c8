package org.keepsake.android

import android.Manifest
import android.content.ContentResolver
import android.content.ContentUris
import android.content.Context
import android.content.pm.PackageManager
import android.database.Cursor
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.provider.MediaStore
import org.keepsake.KeepsakeStore
import uniffi.keepsake_ffi.AssetRecord
import uniffi.keepsake_ffi.SyncSummary

/**
 * Maps MediaStore rows to Keepsake asset records, incrementally.
 *
 * The first sync lists every image and video (`full`: assets gone from MediaStore are
 * removed). Later syncs ask only for rows changed since the last one — by
 * `GENERATION_MODIFIED` on Android 11+ (exact, survives clock changes), else by
 * `DATE_MODIFIED` — and a full listing runs when the MediaStore version changes (the
 * volume was rebuilt) or every [fullEvery] syncs, which is how deletions are noticed.
 *
 * Under Android 14's partial access ("selected photos") the app sees only what the user
 * picked: every sync is then additive, so the photos it cannot see are never taken for
 * deleted (a photo the user deletes is forgotten when full access returns, or through
 * [KeepsakeStore.remove]).
 *
 * Places: MediaStore hides EXIF GPS unless the app holds ACCESS_MEDIA_LOCATION, and even
 * then only in the original's bytes. Records carry no coordinates; the core asks
 * [MediaStorePixels] for the original (opened with `setRequireOriginal`) and reads them
 * from its EXIF. Rows with nulls, missing columns (older releases, odd providers) or
 * absurd values are mapped field by field: a bad field becomes unknown, the row stays.
 *
 * Needs READ_MEDIA_IMAGES + READ_MEDIA_VIDEO (Android 13+; READ_MEDIA_VISUAL_USER_SELECTED
 * for partial access) or READ_EXTERNAL_STORAGE. Call off the main thread.
 */
class MediaStoreSource @JvmOverloads constructor(
    private val context: Context,
    private val fullEvery: Int = 20,
) {
    private val prefs = context.getSharedPreferences("keepsake.mediastore", Context.MODE_PRIVATE)
    private val resolver: ContentResolver get() = context.contentResolver

    /** Whether the app sees only the photos the user selected (Android 14+). */
    fun partialAccess(): Boolean {
        if (Build.VERSION.SDK_INT < 34) return false
        fun granted(p: String) = context.checkSelfPermission(p) == PackageManager.PERMISSION_GRANTED
        return !granted(Manifest.permission.READ_MEDIA_IMAGES) &&
            granted(Manifest.permission.READ_MEDIA_VISUAL_USER_SELECTED)
    }

    fun sync(store: KeepsakeStore): SyncSummary {
        val version = if (Build.VERSION.SDK_INT >= 29) MediaStore.getVersion(context) else null
        val partial = partialAccess()
        val count = prefs.getInt("syncs", 0)
        val full = !partial && (prefs.getString("version", null) != version || count % fullEvery == 0)
        val sinceGeneration = if (full) -1L else prefs.getLong("generation", -1L)
        val sinceSeconds = if (full) -1L else prefs.getLong("modified", -1L)
        val rows = query(sinceGeneration, sinceSeconds)
        val summary = store.sync(rows.records, full)
        prefs.edit()
            .putString("version", version)
            .putInt("syncs", count + 1)
            .putLong("generation", maxOf(rows.maxGeneration, sinceGeneration))
            .putLong("modified", maxOf(rows.maxModifiedSeconds, sinceSeconds))
            .apply()
        return summary
    }

    /** Forgets the sync position: the next sync is a full listing. */
    fun reset() {
        prefs.edit().clear().apply()
    }

    internal class Rows(val records: List<AssetRecord>, val maxGeneration: Long, val maxModifiedSeconds: Long)

    internal fun query(sinceGeneration: Long, sinceSeconds: Long): Rows {
        val uri = MediaStore.Files.getContentUri(VOLUME)
        val hasGeneration = Build.VERSION.SDK_INT >= 30
        val projection = buildList {
            addAll(BASE_COLUMNS)
            if (Build.VERSION.SDK_INT >= 29) add(MediaStore.MediaColumns.RELATIVE_PATH)
            if (hasGeneration) {
                add(MediaStore.MediaColumns.GENERATION_MODIFIED)
                add(MediaStore.MediaColumns.IS_FAVORITE)
            }
        }.toTypedArray()
        val media = "${MediaStore.Files.FileColumns.MEDIA_TYPE} IN " +
            "(${MediaStore.Files.FileColumns.MEDIA_TYPE_IMAGE}, ${MediaStore.Files.FileColumns.MEDIA_TYPE_VIDEO})"
        val (selection, args) = when {
            hasGeneration && sinceGeneration >= 0 ->
                "$media AND ${MediaStore.MediaColumns.GENERATION_MODIFIED} > ?" to arrayOf(sinceGeneration.toString())
            sinceSeconds >= 0 ->
                "$media AND ${MediaStore.MediaColumns.DATE_MODIFIED} >= ?" to arrayOf(sinceSeconds.toString())
            else -> media to emptyArray()
        }
        val queryArgs = Bundle().apply {
            putString(ContentResolver.QUERY_ARG_SQL_SELECTION, selection)
            putStringArray(ContentResolver.QUERY_ARG_SQL_SELECTION_ARGS, args)
        }
        val out = ArrayList<AssetRecord>()
        var maxGeneration = -1L
        var maxModified = -1L
        resolver.query(uri, projection, queryArgs, null)?.use { c ->
            val row = RowReader(c)
            while (c.moveToNext()) {
                val record = row.record() ?: continue
                row.long(MediaStore.MediaColumns.DATE_MODIFIED)?.let { maxModified = maxOf(maxModified, it) }
                row.long(MediaStore.MediaColumns.GENERATION_MODIFIED)?.let { maxGeneration = maxOf(maxGeneration, it) }
                out += record
            }
        }
        return Rows(out, maxGeneration, maxModified)
    }

    /** Reads one row at a time; every column is optional (absent → unknown). */
    private class RowReader(private val c: Cursor) {
        private val index = HashMap<String, Int>()

        private fun at(name: String): Int = index.getOrPut(name) { c.getColumnIndex(name) }

        fun long(name: String): Long? {
            val i = at(name)
            return if (i < 0 || c.isNull(i)) null else runCatching { c.getLong(i) }.getOrNull()
        }

        fun string(name: String): String? {
            val i = at(name)
            return if (i < 0 || c.isNull(i)) null else runCatching { c.getString(i) }.getOrNull()
        }

        fun record(): AssetRecord? {
            val id = long(MediaStore.Files.FileColumns._ID)?.takeIf { it >= 0 } ?: return null
            val type = long(MediaStore.Files.FileColumns.MEDIA_TYPE)
            val mime = string(MediaStore.MediaColumns.MIME_TYPE)
            val isVideo = type == MediaStore.Files.FileColumns.MEDIA_TYPE_VIDEO.toLong() ||
                (type == null && mime?.startsWith("video/") == true)
            val contentUri: Uri = ContentUris.withAppendedId(
                if (isVideo) MediaStore.Video.Media.getContentUri(VOLUME) else MediaStore.Images.Media.getContentUri(VOLUME),
                id,
            )
            val bucket = string(MediaStore.MediaColumns.BUCKET_DISPLAY_NAME)
            val relativePath = string(MediaStore.MediaColumns.RELATIVE_PATH)
            return AssetRecord(
                id = id.toString(),
                uri = contentUri.toString(),
                name = string(MediaStore.MediaColumns.DISPLAY_NAME),
                mime = mime,
                size = long(MediaStore.MediaColumns.SIZE)?.takeIf { it in 1..MAX_BYTES }?.toULong(),
                // Seconds; a value past year 9999 is garbage (some providers store ms
                // here): 0, "unknown", which the core never takes for a capture time.
                modifiedMs = long(MediaStore.MediaColumns.DATE_MODIFIED)
                    ?.takeIf { it in 1..MAX_SECONDS }?.let { it * 1000 } ?: 0L,
                capturedAt = null,
                // DATE_TAKEN is an instant (ms); 0 and negatives mean "unknown" on many
                // devices. The core decides how far to trust the rest.
                capturedMs = long(MediaStore.MediaColumns.DATE_TAKEN)?.takeIf { it in 1..MAX_SECONDS * 1000 },
                offsetMinutes = null,
                dateTrust = null,
                width = long(MediaStore.MediaColumns.WIDTH)?.takeIf { it in 1..MAX_SIDE }?.toUInt(),
                height = long(MediaStore.MediaColumns.HEIGHT)?.takeIf { it in 1..MAX_SIDE }?.toUInt(),
                // MediaStore's ORIENTATION is degrees clockwise (WIDTH/HEIGHT are stored
                // pixels); EXIF codes for the core. Anything else is unknown.
                orientation = when (long(MediaStore.MediaColumns.ORIENTATION)) {
                    0L -> 1u
                    90L -> 6u
                    180L -> 3u
                    270L -> 8u
                    else -> null
                },
                lat = null,
                lon = null,
                album = bucket,
                favorite = long(MediaStore.MediaColumns.IS_FAVORITE) == 1L,
                screenshot = isScreenshot(bucket, relativePath),
                isVideo = isVideo,
                isLive = false,
                durationMs = if (isVideo) long(MediaStore.MediaColumns.DURATION)?.takeIf { it > 0 }?.toULong() else null,
            )
        }
    }

    companion object {
        private const val VOLUME = MediaStore.VOLUME_EXTERNAL
        private const val MAX_BYTES = 1L shl 40
        private const val MAX_SECONDS = 253_402_300_799L
        private const val MAX_SIDE = 1_000_000L

        /** The columns every release has (older ones lack RELATIVE_PATH, the generation
         * and IS_FAVORITE; [query] adds those by API level). */
        private val BASE_COLUMNS = listOf(
            MediaStore.Files.FileColumns._ID,
            MediaStore.Files.FileColumns.MEDIA_TYPE,
            MediaStore.MediaColumns.DISPLAY_NAME,
            MediaStore.MediaColumns.MIME_TYPE,
            MediaStore.MediaColumns.SIZE,
            MediaStore.MediaColumns.DATE_MODIFIED,
            MediaStore.MediaColumns.DATE_TAKEN,
            MediaStore.MediaColumns.WIDTH,
            MediaStore.MediaColumns.HEIGHT,
            MediaStore.MediaColumns.ORIENTATION,
            MediaStore.MediaColumns.BUCKET_DISPLAY_NAME,
            MediaStore.MediaColumns.DURATION,
        )

        /** Screenshots live in a "Screenshots" folder (DCIM/ or Pictures/, by vendor). */
        internal fun isScreenshot(bucket: String?, relativePath: String?): Boolean =
            bucket.equals("Screenshots", ignoreCase = true) ||
                relativePath?.trimEnd('/')?.substringAfterLast('/')?.equals("Screenshots", ignoreCase = true) == true
    }
}

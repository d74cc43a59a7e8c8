package org.keepsake.android

import android.content.ContentResolver
import android.content.ContentUris
import android.content.Context
import android.os.Build
import android.os.Bundle
import android.provider.MediaStore
import org.keepsake.KeepsakeStore
import uniffi.keepsake_ffi.AssetRecord
import uniffi.keepsake_ffi.SyncSummary

/**
 * Maps MediaStore rows to Keepsake asset records, incrementally. The first sync lists every
 * image and video (`full = true`: assets gone from MediaStore are removed). Later syncs ask
 * only for rows changed since the last one — by `GENERATION_MODIFIED` on Android 11+ (exact,
 * survives clock changes), else by `DATE_MODIFIED` — and a full listing runs when the
 * MediaStore version changes (the volume was rebuilt) or every [fullEvery] syncs, which is
 * how deletions are noticed on the incremental path.
 *
 * Needs READ_MEDIA_IMAGES (Android 13+; with "selected photos" access only those are seen) or
 * READ_EXTERNAL_STORAGE; ACCESS_MEDIA_LOCATION for GPS. Call off the main thread.
 */
class MediaStoreSource(
    private val context: Context,
    private val fullEvery: Int = 20,
) {
    private val prefs = context.getSharedPreferences("keepsake.mediastore", Context.MODE_PRIVATE)
    private val resolver: ContentResolver get() = context.contentResolver

    fun sync(store: KeepsakeStore): SyncSummary {
        val version = MediaStore.getVersion(context)
        val count = prefs.getInt("syncs", 0)
        val full = prefs.getString("version", null) != version || count % fullEvery == 0
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

    private class Rows(val records: List<AssetRecord>, val maxGeneration: Long, val maxModifiedSeconds: Long)

    private fun query(sinceGeneration: Long, sinceSeconds: Long): Rows {
        val uri = MediaStore.Files.getContentUri(MediaStore.VOLUME_EXTERNAL)
        val hasGeneration = Build.VERSION.SDK_INT >= Build.VERSION_CODES.R
        val projection = buildList {
            add(MediaStore.Files.FileColumns._ID)
            add(MediaStore.Files.FileColumns.MEDIA_TYPE)
            add(MediaStore.MediaColumns.DISPLAY_NAME)
            add(MediaStore.MediaColumns.MIME_TYPE)
            add(MediaStore.MediaColumns.SIZE)
            add(MediaStore.MediaColumns.DATE_MODIFIED)
            add(MediaStore.MediaColumns.DATE_TAKEN)
            add(MediaStore.MediaColumns.WIDTH)
            add(MediaStore.MediaColumns.HEIGHT)
            add(MediaStore.MediaColumns.ORIENTATION)
            add(MediaStore.MediaColumns.BUCKET_DISPLAY_NAME)
            add(MediaStore.MediaColumns.DURATION)
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
            fun col(name: String) = c.getColumnIndexOrThrow(name)
            val id = col(MediaStore.Files.FileColumns._ID)
            val type = col(MediaStore.Files.FileColumns.MEDIA_TYPE)
            val name = col(MediaStore.MediaColumns.DISPLAY_NAME)
            val mime = col(MediaStore.MediaColumns.MIME_TYPE)
            val size = col(MediaStore.MediaColumns.SIZE)
            val modified = col(MediaStore.MediaColumns.DATE_MODIFIED)
            val taken = col(MediaStore.MediaColumns.DATE_TAKEN)
            val width = col(MediaStore.MediaColumns.WIDTH)
            val height = col(MediaStore.MediaColumns.HEIGHT)
            val orientation = col(MediaStore.MediaColumns.ORIENTATION)
            val bucket = col(MediaStore.MediaColumns.BUCKET_DISPLAY_NAME)
            val duration = col(MediaStore.MediaColumns.DURATION)
            val generation = if (hasGeneration) col(MediaStore.MediaColumns.GENERATION_MODIFIED) else -1
            val favorite = if (hasGeneration) col(MediaStore.MediaColumns.IS_FAVORITE) else -1
            while (c.moveToNext()) {
                val rowId = c.getLong(id)
                val isVideo = c.getInt(type) == MediaStore.Files.FileColumns.MEDIA_TYPE_VIDEO
                val contentUri = ContentUris.withAppendedId(
                    if (isVideo) MediaStore.Video.Media.EXTERNAL_CONTENT_URI else MediaStore.Images.Media.EXTERNAL_CONTENT_URI,
                    rowId,
                )
                val modifiedSeconds = c.getLong(modified)
                maxModified = maxOf(maxModified, modifiedSeconds)
                if (generation >= 0) maxGeneration = maxOf(maxGeneration, c.getLong(generation))
                out += AssetRecord(
                    id = rowId.toString(),
                    uri = contentUri.toString(),
                    name = c.getString(name),
                    mime = c.getString(mime),
                    size = c.getLong(size).takeIf { it > 0 }?.toULong(),
                    modifiedMs = modifiedSeconds * 1000,
                    capturedAt = null,
                    // DATE_TAKEN is an instant (ms); the core decides how far to trust it.
                    capturedMs = if (c.isNull(taken)) null else c.getLong(taken),
                    offsetMinutes = null,
                    dateTrust = null,
                    width = c.getInt(width).takeIf { it > 0 }?.toUInt(),
                    height = c.getInt(height).takeIf { it > 0 }?.toUInt(),
                    // MediaStore's ORIENTATION is degrees, and WIDTH/HEIGHT are stored pixels.
                    orientation = when (c.getInt(orientation)) {
                        90 -> 6u
                        180 -> 3u
                        270 -> 8u
                        else -> 1u
                    },
                    lat = null,
                    lon = null,
                    album = c.getString(bucket),
                    favorite = favorite >= 0 && c.getInt(favorite) == 1,
                    screenshot = c.getString(bucket)?.equals("Screenshots", ignoreCase = true) == true,
                    isVideo = isVideo,
                    isLive = false,
                    durationMs = if (isVideo && !c.isNull(duration)) c.getLong(duration).toULong() else null,
                )
            }
        }
        return Rows(out, maxGeneration, maxModified)
    }
}

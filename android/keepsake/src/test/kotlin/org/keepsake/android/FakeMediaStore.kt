package org.keepsake.android

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Intent
import android.database.Cursor
import android.database.MatrixCursor
import android.net.Uri
import android.os.Bundle
import android.os.CancellationSignal
import android.os.ParcelFileDescriptor
import android.provider.MediaStore
import java.io.File
import java.io.FileNotFoundException
import java.util.concurrent.CopyOnWriteArrayList

/**
 * A MediaStore provider for Robolectric: serves the rows a test puts in [rows] (column →
 * value; a column a row lacks is null), answers the generation / date selections
 * [MediaStoreSource] sends, drops the columns in [missingColumns] from every answer (an
 * older or odd provider), and opens the files in [files] — with the EXIF segment cut out
 * unless the URI asks for the original, as Android redacts locations.
 */
class FakeMediaStore : ContentProvider() {
    companion object {
        val rows = CopyOnWriteArrayList<Map<String, Any?>>()
        val files = HashMap<Long, File>()
        val denied = HashSet<Long>()
        val missingColumns = HashSet<String>()
        val projections = CopyOnWriteArrayList<List<String>>()
        val selections = CopyOnWriteArrayList<String>()
        val opened = CopyOnWriteArrayList<Uri>()
        @Volatile var version = "v1"

        /** A fresh provider registered as MediaStore; returns the application. */
        fun install(): android.app.Application {
            reset()
            org.robolectric.Robolectric.setupContentProvider(FakeMediaStore::class.java, MediaStore.AUTHORITY)
            return org.robolectric.RuntimeEnvironment.getApplication()
        }

        /** Photos [ids] taken a day apart before [now] (seconds), generation = id. */
        fun daily(ids: LongRange, now: Long) {
            for (id in ids) rows += photo(id, id, now - id * 86_400, (now - id * 86_400) * 1000)
        }

        fun reset() {
            rows.clear(); files.clear(); denied.clear(); missingColumns.clear()
            projections.clear(); selections.clear(); opened.clear(); version = "v1"
        }

        /** A photo row with every column set. */
        fun photo(id: Long, generation: Long, modifiedSeconds: Long, takenMs: Long?, extra: Map<String, Any?> = emptyMap()) =
            mapOf<String, Any?>(
                MediaStore.Files.FileColumns._ID to id,
                MediaStore.Files.FileColumns.MEDIA_TYPE to MediaStore.Files.FileColumns.MEDIA_TYPE_IMAGE,
                MediaStore.MediaColumns.DISPLAY_NAME to "IMG_$id.jpg",
                MediaStore.MediaColumns.MIME_TYPE to "image/jpeg",
                MediaStore.MediaColumns.SIZE to 123_456L,
                MediaStore.MediaColumns.DATE_MODIFIED to modifiedSeconds,
                MediaStore.MediaColumns.DATE_TAKEN to takenMs,
                MediaStore.MediaColumns.WIDTH to 4000,
                MediaStore.MediaColumns.HEIGHT to 3000,
                MediaStore.MediaColumns.ORIENTATION to 0,
                MediaStore.MediaColumns.BUCKET_DISPLAY_NAME to "Camera",
                MediaStore.MediaColumns.RELATIVE_PATH to "DCIM/Camera/",
                MediaStore.MediaColumns.GENERATION_MODIFIED to generation,
                MediaStore.MediaColumns.IS_FAVORITE to 0,
                MediaStore.MediaColumns.DURATION to null,
            ) + extra

        /** JPEG bytes without their APP1 (EXIF/XMP) segments. */
        fun withoutExif(jpeg: ByteArray): ByteArray {
            if (jpeg.size < 4 || jpeg[0] != 0xFF.toByte() || jpeg[1] != 0xD8.toByte()) return jpeg
            val out = java.io.ByteArrayOutputStream(jpeg.size)
            out.write(jpeg, 0, 2)
            var i = 2
            while (i + 4 <= jpeg.size && jpeg[i] == 0xFF.toByte()) {
                val marker = jpeg[i + 1].toInt() and 0xFF
                if (marker == 0xDA) break
                val len = ((jpeg[i + 2].toInt() and 0xFF) shl 8) or (jpeg[i + 3].toInt() and 0xFF)
                if (marker != 0xE1) out.write(jpeg, i, 2 + len)
                i += 2 + len
            }
            out.write(jpeg, i, jpeg.size - i)
            return out.toByteArray()
        }
    }

    override fun onCreate() = true

    override fun query(uri: Uri, projection: Array<String>?, queryArgs: Bundle?, cancellationSignal: CancellationSignal?): Cursor {
        val asked = projection?.toList() ?: rows.flatMap { it.keys }.distinct()
        projections += asked
        val selection = queryArgs?.getString(android.content.ContentResolver.QUERY_ARG_SQL_SELECTION) ?: ""
        val args = queryArgs?.getStringArray(android.content.ContentResolver.QUERY_ARG_SQL_SELECTION_ARGS) ?: emptyArray()
        selections += selection
        val columns = asked.filter { it !in missingColumns }
        val cursor = MatrixCursor(columns.toTypedArray())
        for (row in rows) {
            fun num(c: String) = (row[c] as? Number)?.toLong()
            if (selection.contains("${MediaStore.MediaColumns.GENERATION_MODIFIED} >")) {
                if ((num(MediaStore.MediaColumns.GENERATION_MODIFIED) ?: 0) <= args[0].toLong()) continue
            } else if (selection.contains("${MediaStore.MediaColumns.DATE_MODIFIED} >=")) {
                if ((num(MediaStore.MediaColumns.DATE_MODIFIED) ?: 0) < args[0].toLong()) continue
            }
            cursor.addRow(columns.map { row[it] }.toTypedArray())
        }
        return cursor
    }

    override fun query(uri: Uri, p: Array<String>?, s: String?, a: Array<String>?, o: String?): Cursor =
        query(uri, p, Bundle().apply { putString(android.content.ContentResolver.QUERY_ARG_SQL_SELECTION, s) }, null)

    override fun call(method: String, arg: String?, extras: Bundle?): Bundle =
        Bundle().apply { putString(Intent.EXTRA_TEXT, version) }

    override fun getType(uri: Uri): String = "image/jpeg"

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        opened += uri
        val id = uri.lastPathSegment?.toLongOrNull() ?: throw FileNotFoundException("no id")
        if (id in denied) throw SecurityException("not granted")
        val file = files[id] ?: throw FileNotFoundException("gone")
        val original = uri.getQueryParameter("requireOriginal") == "1"
        val served = if (original) {
            file
        } else {
            File.createTempFile("redacted", ".jpg").apply { deleteOnExit(); writeBytes(withoutExif(file.readBytes())) }
        }
        return ParcelFileDescriptor.open(served, ParcelFileDescriptor.MODE_READ_ONLY)
    }

    override fun insert(uri: Uri, values: ContentValues?): Uri? = null
    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<String>?) = 0
    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<String>?) = 0
}

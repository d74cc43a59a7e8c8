package org.keepsake.android

import android.Manifest
import android.content.ContentResolver
import android.content.Context
import android.content.pm.PackageManager
import android.graphics.Bitmap
import android.net.Uri
import android.os.Build
import android.os.CancellationSignal
import android.os.OperationCanceledException
import android.provider.MediaStore
import android.util.Size
import java.io.FileNotFoundException
import java.io.IOException
import java.nio.ByteBuffer
import uniffi.keepsake_ffi.PixelAnswer
import uniffi.keepsake_ffi.PixelException
import uniffi.keepsake_ffi.PixelRequest
import uniffi.keepsake_ffi.PixelSource

/**
 * The core's pixels for MediaStore photos (`content://` records from [MediaStoreSource]).
 *
 * - Detection-sized pixels: `ContentResolver.loadThumbnail` at the long side the core asks
 *   (the platform decodes, HEIC included, and applies the orientation: `upright`), copied
 *   out of the bitmap in one bulk copy as RGBA.
 * - The original, when the core wants its metadata (a record without capture time or
 *   place): its bytes through `openFileDescriptor`, with `setRequireOriginal` when the app
 *   holds ACCESS_MEDIA_LOCATION so the EXIF GPS is not redacted; the core reads it.
 *
 * Failures map to the core's reasons: `FileNotFoundException` → gone, `SecurityException`
 * → permission denied, a cancelled or interrupted call → busy (asked again later), files
 * over [maxOriginalBytes] or unreadable → failed. Called from core worker threads.
 */
class MediaStorePixels @JvmOverloads constructor(
    private val context: Context,
    private val maxOriginalBytes: Long = 256L shl 20,
) : PixelSource {
    private val resolver: ContentResolver get() = context.contentResolver

    /** Whether originals come with their GPS (ACCESS_MEDIA_LOCATION, Android 10+). */
    fun locationAccess(): Boolean = Build.VERSION.SDK_INT >= 29 &&
        context.checkSelfPermission(Manifest.permission.ACCESS_MEDIA_LOCATION) == PackageManager.PERMISSION_GRANTED

    override fun pixels(request: PixelRequest): PixelAnswer {
        val uri = try {
            Uri.parse(request.uri).also { require(it.scheme == ContentResolver.SCHEME_CONTENT) }
        } catch (e: IllegalArgumentException) {
            throw PixelException.Failed("not a content uri")
        }
        return try {
            if (request.wantsOriginal) original(uri) else thumbnail(uri, request.longSide.toInt())
        } catch (e: FileNotFoundException) {
            throw PixelException.Gone()
        } catch (e: SecurityException) {
            throw PixelException.PermissionDenied()
        } catch (e: OperationCanceledException) {
            throw PixelException.Busy()
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
            throw PixelException.Busy()
        } catch (e: IOException) {
            throw PixelException.Failed(e.javaClass.simpleName)
        } catch (e: OutOfMemoryError) {
            throw PixelException.Failed("out of memory")
        }
    }

    private fun original(uri: Uri): PixelAnswer {
        val target = if (locationAccess()) MediaStore.setRequireOriginal(uri) else uri
        val fd = resolver.openFileDescriptor(target, "r", CancellationSignal())
            ?: throw FileNotFoundException()
        fd.use {
            val size = it.statSize
            if (size > maxOriginalBytes) throw PixelException.Failed("original over the size limit")
            val bytes = ParcelStreams.readAll(it, maxOriginalBytes)
            if (bytes.isEmpty()) throw PixelException.Failed("empty original")
            return PixelAnswer.Encoded(bytes)
        }
    }

    private fun thumbnail(uri: Uri, longSide: Int): PixelAnswer {
        val side = longSide.coerceIn(16, 4096)
        val bitmap = resolver.loadThumbnail(uri, Size(side, side), CancellationSignal())
        return rgba(bitmap)
    }

    companion object {
        /**
         * Whether ARGB_8888 bitmaps keep their bytes as B, G, R, A. Android stores R, G, B, A
         * (Skia's N32 on Android); a desktop Skia (Robolectric's native graphics on Linux)
         * stores B, G, R, A. Asked once, of a 1×1 red bitmap.
         */
        private val bgra: Boolean by lazy {
            val probe = Bitmap.createBitmap(1, 1, Bitmap.Config.ARGB_8888)
            try {
                probe.eraseColor(android.graphics.Color.RED)
                val buffer = ByteBuffer.allocate(4)
                probe.copyPixelsToBuffer(buffer)
                buffer.get(2) == 0xFF.toByte() && buffer.get(0) == 0.toByte()
            } finally {
                probe.recycle()
            }
        }

        /** A bitmap's pixels as the core's RGBA answer: one bulk copy (other configs —
         * hardware, 565 — converted to ARGB_8888 first); recycles the bitmap. */
        @JvmStatic
        fun rgba(bitmap: Bitmap): PixelAnswer {
            val argb = if (bitmap.config == Bitmap.Config.ARGB_8888) bitmap else bitmap.copy(Bitmap.Config.ARGB_8888, false)
            try {
                val bytes = ByteArray(argb.rowBytes * argb.height)
                argb.copyPixelsToBuffer(ByteBuffer.wrap(bytes))
                if (bgra) {
                    // Never on a device; keeps the answer RGBA where Skia is a desktop build.
                    var i = 0
                    while (i + 2 < bytes.size) {
                        val b = bytes[i]
                        bytes[i] = bytes[i + 2]
                        bytes[i + 2] = b
                        i += 4
                    }
                }
                return PixelAnswer.Rgba(
                    width = argb.width.toUInt(),
                    height = argb.height.toUInt(),
                    stride = argb.rowBytes.toUInt(),
                    rgba = bytes,
                    upright = true,
                )
            } finally {
                if (argb !== bitmap) argb.recycle()
                bitmap.recycle()
            }
        }
    }
}

/** Reads a descriptor to its end, refusing more than a limit. */
internal object ParcelStreams {
    fun readAll(fd: android.os.ParcelFileDescriptor, limit: Long): ByteArray {
        val out = java.io.ByteArrayOutputStream(fd.statSize.coerceIn(0, limit).toInt().coerceAtLeast(1 shl 16))
        // The caller closes the descriptor (the stream over it is not closed twice).
        val input = java.io.FileInputStream(fd.fileDescriptor)
        val buf = ByteArray(1 shl 16)
        var total = 0L
        while (true) {
            val n = input.read(buf)
            if (n < 0) break
            total += n
            if (total > limit) throw PixelException.Failed("original over the size limit")
            out.write(buf, 0, n)
        }
        return out.toByteArray()
    }
}

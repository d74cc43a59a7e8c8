package org.keepsake.android

import android.Manifest
import android.app.Application
import android.graphics.Bitmap
import android.graphics.Color
import android.provider.MediaStore
import java.io.File
import java.nio.file.Files
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import uniffi.keepsake_ffi.PixelAnswer
import uniffi.keepsake_ffi.PixelException
import uniffi.keepsake_ffi.PixelRequest

/** The core's pixels out of MediaStore: thumbnails as RGBA, originals as bytes, failures mapped. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34])
@GraphicsMode(GraphicsMode.Mode.NATIVE)
class MediaStorePixelsTest {
    private lateinit var app: Application
    private lateinit var dir: File

    @Before
    fun setUp() {
        app = FakeMediaStore.install()
        dir = Files.createTempDirectory("keepsake-px").toFile().apply { deleteOnExit() }
    }

    /** A 400×300 JPEG, left half red, right half blue, made by the platform's encoder, with
     * an (empty) EXIF segment as cameras write. */
    private fun jpeg(id: Long): File {
        val bitmap = Bitmap.createBitmap(400, 300, Bitmap.Config.ARGB_8888)
        for (y in 0 until 300) for (x in 0 until 400) bitmap.setPixel(x, y, if (x < 200) Color.RED else Color.BLUE)
        val file = File(dir, "$id.jpg")
        val encoded = java.io.ByteArrayOutputStream().also { bitmap.compress(Bitmap.CompressFormat.JPEG, 95, it) }.toByteArray()
        val exif = byteArrayOf(-1, -31, 0, 10, 'E'.code.toByte(), 'x'.code.toByte(), 'i'.code.toByte(), 'f'.code.toByte(), 0, 0, 'M'.code.toByte(), 'M'.code.toByte())
        file.writeBytes(encoded.copyOfRange(0, 2) + exif + encoded.copyOfRange(2, encoded.size))
        FakeMediaStore.files[id] = file
        return file
    }

    private fun request(id: Long, original: Boolean = false, side: Int = 100) =
        PixelRequest("$id", "content://media/external/images/media/$id", side.toUInt(), original)

    @Test
    fun thumbnailsAreDetectionSizedUprightRgba() {
        jpeg(1)
        val answer = MediaStorePixels(app).pixels(request(1, side = 100))
        answer as PixelAnswer.Rgba
        assertTrue("long side ${answer.width}", answer.width.toInt() in 50..100)
        assertTrue(kotlin.math.abs(answer.width.toInt() * 3 / 4 - answer.height.toInt()) <= 2)
        assertEquals(answer.stride.toInt() * answer.height.toInt(), answer.rgba.size)
        assertTrue(answer.upright)
        // Left is red, right is blue, alpha opaque: the bytes are R, G, B, A.
        val row = answer.stride.toInt() * (answer.height.toInt() / 2)
        val left = row + 4 * 5
        val right = row + 4 * (answer.width.toInt() - 5)
        assertTrue(answer.rgba[left].toInt() and 0xFF > 200 && answer.rgba[left + 2].toInt() and 0xFF < 60)
        assertTrue(answer.rgba[right + 2].toInt() and 0xFF > 200 && answer.rgba[right].toInt() and 0xFF < 60)
        assertEquals(255, answer.rgba[left + 3].toInt() and 0xFF)
    }

    @Test
    fun oneBulkCopyFromAnyBitmapConfig() {
        val small = Bitmap.createBitmap(3, 2, Bitmap.Config.RGB_565)
        small.eraseColor(Color.rgb(255, 0, 0))
        val answer = MediaStorePixels.rgba(small) as PixelAnswer.Rgba
        assertEquals(3u, answer.width)
        assertEquals(2u, answer.height)
        assertArrayEquals(byteArrayOf(-1, 0, 0, -1), answer.rgba.copyOfRange(0, 4))
    }

    @Test
    fun originalsComeWithTheirLocationOnlyWithMediaLocationAccess() {
        val file = jpeg(2)
        val stripped = FakeMediaStore.withoutExif(file.readBytes())
        assertTrue(stripped.size < file.length())
        // Without ACCESS_MEDIA_LOCATION: the redacted bytes.
        shadowOf(app).denyPermissions(Manifest.permission.ACCESS_MEDIA_LOCATION)
        val redacted = MediaStorePixels(app).pixels(request(2, original = true)) as PixelAnswer.Encoded
        assertArrayEquals(stripped, redacted.bytes)
        assertFalse(FakeMediaStore.opened.last().toString().contains("requireOriginal"))
        // With it: setRequireOriginal, the original's bytes.
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_MEDIA_LOCATION)
        val original = MediaStorePixels(app).pixels(request(2, original = true)) as PixelAnswer.Encoded
        assertArrayEquals(file.readBytes(), original.bytes)
        assertEquals("1", FakeMediaStore.opened.last().getQueryParameter("requireOriginal"))
    }

    @Test
    fun failuresMapToTheCoresReasons() {
        jpeg(3)
        FakeMediaStore.denied += 3L
        val pixels = MediaStorePixels(app)
        fun failsWith(expected: Class<*>, block: () -> Unit) {
            try {
                block()
                fail("no error")
            } catch (e: PixelException) {
                assertEquals(expected, e.javaClass)
            }
        }
        failsWith(PixelException.Gone::class.java) { pixels.pixels(request(99)) }
        failsWith(PixelException.Gone::class.java) { pixels.pixels(request(99, original = true)) }
        failsWith(PixelException.PermissionDenied::class.java) { pixels.pixels(request(3, original = true)) }
        failsWith(PixelException.Failed::class.java) {
            pixels.pixels(PixelRequest("4", "/sdcard/DCIM/4.jpg", 100u, false))
        }
        // Over the size limit: refused, not read into memory.
        jpeg(5)
        failsWith(PixelException.Failed::class.java) { MediaStorePixels(app, maxOriginalBytes = 100).pixels(request(5, original = true)) }
    }
}

package org.keepsake

import java.awt.RenderingHints
import java.awt.image.BufferedImage
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap
import javax.imageio.ImageIO
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import uniffi.keepsake_ffi.ApiException
import uniffi.keepsake_ffi.AssetRecord
import uniffi.keepsake_ffi.CancelSignal
import uniffi.keepsake_ffi.ConsentScope
import uniffi.keepsake_ffi.PixelAnswer
import uniffi.keepsake_ffi.PixelException
import uniffi.keepsake_ffi.PixelRequest
import uniffi.keepsake_ffi.PhotoEffect
import uniffi.keepsake_ffi.PixelSource
import uniffi.keepsake_ffi.StyleNetwork

/**
 * Analysis on the phone itself, from Kotlin: records with opaque MediaStore-style ids and
 * `content://` URIs (no file path anywhere), their pixels from a Kotlin [PixelSource] that
 * answers with the original's bytes or with RGBA it decoded (rows padded, as bitmaps are),
 * and one photo that is only in the cloud.
 */
class HostPixelsTest {
    private val shared = File(System.getenv("KEEPSAKE_SHARED") ?: "../shared")
    private val model = File(shared, "models/retinaface_mnet025.onnx")
    private val embedder = File(shared, "models/face_embed_dlib_resnet_v1.onnx")
    private val now: Instant = Instant.parse("2026-11-20T12:00:00Z")

    /** Decoded at about [longSide], ARGB read out in one bulk call, stored as padded RGBA rows. */
    private fun rgba(file: File, longSide: Int): PixelAnswer {
        val full = ImageIO.read(file)
        val k = longSide.toDouble() / maxOf(full.width, full.height)
        val w = maxOf(1, (full.width * minOf(k, 1.0)).toInt())
        val h = maxOf(1, (full.height * minOf(k, 1.0)).toInt())
        val img = BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB)
        img.createGraphics().apply {
            setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR)
            drawImage(full, 0, 0, w, h, null)
            dispose()
        }
        val argb = img.getRGB(0, 0, w, h, null, 0, w)
        val stride = w * 4 + 16
        val out = ByteArray(stride * h)
        for (y in 0 until h) {
            for (x in 0 until w) {
                val p = argb[y * w + x]
                val o = y * stride + x * 4
                out[o] = (p shr 16).toByte()
                out[o + 1] = (p shr 8).toByte()
                out[o + 2] = p.toByte()
                out[o + 3] = (p ushr 24).toByte()
            }
        }
        return PixelAnswer.Rgba(w.toUInt(), h.toUInt(), stride.toUInt(), out, true)
    }

    @Test
    fun analysisThroughAKotlinPixelSourceOnOpaqueIds() {
        val files = File(shared, "data/faces/dlib_pascal_voc/images")
            .listFiles { f -> f.extension == "jpg" }!!
            .sortedBy { it.name }
        assertTrue(files.size >= 6, "dlib photos: ${files.size}")
        val byId = files.mapIndexed { i, f -> "${1000 + i}" to f }.toMap()
        val records = byId.entries.mapIndexed { i, (id, f) ->
            AssetRecord(
                id = id, uri = "content://media/external/images/media/$id", name = "photo$id.jpg",
                mime = "image/jpeg", size = f.length().toULong(), modifiedMs = now.toEpochMilli() - i,
                capturedAt = null, capturedMs = now.minus(Duration.ofHours(3L * i + 1)).toEpochMilli(),
                offsetMinutes = 60, dateTrust = null, width = null, height = null, orientation = null,
                lat = null, lon = null, album = "Camera", favorite = false, screenshot = false,
                isVideo = false, isLive = false, durationMs = null,
            )
        }
        val cloudOnly = "1000"
        val calls = ConcurrentHashMap<String, Int>()
        val source = object : PixelSource {
            override fun pixels(request: PixelRequest): PixelAnswer {
                calls.merge(request.assetId, 1, Int::plus)
                assertTrue(request.uri.startsWith("content://"), request.uri)
                val file = byId[request.assetId] ?: throw PixelException.Gone()
                if (request.assetId == cloudOnly) throw PixelException.NotDownloaded()
                return if (request.assetId.toInt() % 2 == 0) {
                    PixelAnswer.Encoded(file.readBytes())
                } else {
                    rgba(file, request.longSide.toInt())
                }
            }
        }
        val db = Files.createTempDirectory("keepsake-host").toFile().resolve("k.db")
        KeepsakeStore.open(db, "UTC").use { store ->
            assertEquals(records.size.toULong(), store.sync(records, full = true).added)
            store.grant(ConsentScope.PIXELS, ConsentScope.FACES, ConsentScope.SUGGESTIONS)
            // Without a source the photos wait, counted.
            val waiting = assertNotNull(store.analyze(model).use { it.await(Duration.ofMinutes(2)) })
            assertEquals(records.size.toULong(), waiting.needHostPixels)
            assertEquals(0uL, waiting.analysed)

            store.setPixelSource(source)
            val summary = assertNotNull(store.analyze(model, embedder).use { it.await(Duration.ofMinutes(5)) })
            assertEquals(0uL, summary.needHostPixels)
            assertEquals((records.size - 1).toULong(), summary.analysed, "$summary")
            assertEquals(mapOf("not_downloaded" to 1uL), summary.hostUnavailable)
            // The encoded originals gave their sizes (and would give place and time).
            assertTrue(summary.metadataFilled >= (records.size / 2 - 1).toULong(), "$summary")
            val faces = store.faces()
            assertTrue(faces.size >= 20, "faces through the pixel source: ${faces.size}")
            assertTrue(faces.all { it.assetId in byId.keys && it.assetId != cloudOnly })
            assertTrue(faces.map { it.assetId }.toSet().any { it.toInt() % 2 == 1 }, "RGBA answers found faces")
            assertTrue(summary.facesDescribed > 0u && summary.people > 0u, "$summary")

            // Only the cloud-only photo is asked for again by the next run.
            calls.clear()
            store.analyze(model).use { assertNotNull(it.await(Duration.ofMinutes(2))) }
            assertEquals(setOf(cloudOnly), calls.keys)

            // Collages draw through the same source: nothing left as a placeholder.
            val suggestion = store.suggestions(now).first()
            val image = store.collage(suggestion.id, CollageStyle(size = 512), now = now)
            assertTrue(image.failedAssets.isEmpty(), "${image.failedAssets}")

            // Made on the device, one of each: an effect, a restyle, story frames.
            val asset = "1003"
            val plain = decode(store.photo(asset, longSide = 256).bytes)
            val mono = decode(store.photo(asset, longSide = 256, effect = PhotoEffect.MONO).bytes)
            assertEquals(plain.width to plain.height, mono.width to mono.height)
            assertTrue((0 until mono.width step 7).all { x -> grey(mono.getRGB(x, mono.height / 2)) })
            val network = StyleNetwork.load(styleModel.path)
            assertEquals(26, network.styles().size)
            var layers = 0L
            val painted = store.restyle(asset, network, "starry", longSide = 256, onProgress = { d, _ -> layers = d })
            assertTrue(layers > 10, "progress: $layers layers")
            assertTrue(difference(plain, decode(painted.bytes)) > 10.0, "the restyle changed the photo")
            val cancel = CancelSignal()
            cancel.cancel()
            assertFailsWith<ApiException.Cancelled> { store.restyle(asset, network, "ink", cancel = cancel) }
            assertFailsWith<ApiException.InvalidArgument> { store.restyle(asset, network, "van-gogh") }
            store.storyPlayer(suggestion.id, 90, 160, now = now).use { player ->
                assertTrue(player.durationMs() > 3000uL)
                val title = player.frame(500uL)
                val later = player.frame(player.durationMs() / 2uL)
                assertEquals(90 * 160 * 4, title.rgba.size)
                assertTrue(!title.rgba.contentEquals(later.rgba), "the picture moves")
                assertTrue(player.failedAssets().isEmpty())
            }
            val restyled = store.restyledCollage(suggestion.id, network, "mosaic", collageStyle = CollageStyle(size = 512), now = now)
            assertTrue(difference(decode(image.bytes), decode(restyled.bytes)) > 5.0, "the collage was restyled")
            val poster = store.storyFrame(suggestion.id, 4000, 90, 160)
            assertEquals(90u, poster.width)
            val kinds = store.auditLog().map { it.action }.toSet()
            assertTrue(kinds.containsAll(listOf("photo_effect", "restyle", "story_frames")), "$kinds")
        }
    }

    private val styleModel = File(System.getenv("KEEPSAKE_STYLE_MODEL") ?: "target/models/multistyle26.onnx")

    private fun decode(bytes: ByteArray): BufferedImage = ImageIO.read(bytes.inputStream())

    private fun grey(argb: Int): Boolean {
        val (r, g, b) = Triple((argb shr 16) and 255, (argb shr 8) and 255, argb and 255)
        return maxOf(r, g, b) - minOf(r, g, b) <= 2
    }

    private fun difference(a: BufferedImage, b: BufferedImage): Double {
        var sum = 0L
        var n = 0
        for (y in 0 until minOf(a.height, b.height) step 3) for (x in 0 until minOf(a.width, b.width) step 3) {
            val p = a.getRGB(x, y)
            val q = b.getRGB(x, y)
            for (s in listOf(16, 8, 0)) sum += kotlin.math.abs(((p shr s) and 255) - ((q shr s) and 255))
            n += 3
        }
        return sum.toDouble() / n
    }
}

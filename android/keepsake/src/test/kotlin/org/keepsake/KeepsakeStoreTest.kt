package org.keepsake

import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.concurrent.atomic.AtomicLong
import javax.imageio.ImageIO
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import uniffi.keepsake_ffi.ApiException
import uniffi.keepsake_ffi.AssetRecord
import uniffi.keepsake_ffi.Birthday
import uniffi.keepsake_ffi.ConsentScope
import uniffi.keepsake_ffi.ImageFormat
import uniffi.keepsake_ffi.Keepsake
import uniffi.keepsake_ffi.PhotoEffect

/**
 * The Kotlin façade and the generated bindings against the host-built library, on real
 * photos from ../shared (KEEPSAKE_SHARED). Runs on the JVM with JNA; nothing here needs
 * Android.
 */
class KeepsakeStoreTest {
    private val shared = File(System.getenv("KEEPSAKE_SHARED") ?: "../shared")
    private val model = File(shared, "models/retinaface_mnet025.onnx")
    private val embedder = File(shared, "models/face_embed_dlib_resnet_v1.onnx")
    private val now: Instant = Instant.parse("2026-11-20T12:00:00Z")

    private fun tempDb(): File = Files.createTempDirectory("keepsake-jvm").toFile().resolve("k.db")

    /** Records for the JPEGs of photos_meta, as a host (MediaStore) would give them: capture
     * times spread over the last 20 days, sizes read from the files. */
    private fun records(): List<AssetRecord> {
        val dir = File(shared, "data/photos_meta")
        val files = dir.walkTopDown()
            .filter { it.isFile && it.extension.lowercase() in setOf("jpg", "jpeg") }
            .sortedBy { it.path }
            .toList()
        return files.mapIndexedNotNull { i, f ->
            val size = try {
                ImageIO.createImageInputStream(f).use { input ->
                    val reader = ImageIO.getImageReaders(input).asSequence().firstOrNull() ?: return@use null
                    reader.input = input
                    Pair(reader.getWidth(0), reader.getHeight(0))
                }
            } catch (e: Exception) {
                null
            } ?: return@mapIndexedNotNull null
            AssetRecord(
                id = f.relativeTo(dir).path, uri = f.absolutePath, name = f.name, mime = "image/jpeg",
                size = f.length().toULong(), modifiedMs = f.lastModified(), capturedAt = null,
                capturedMs = now.minus(Duration.ofHours(6L * i + 1)).toEpochMilli(), offsetMinutes = 0,
                dateTrust = null, width = size.first.toUInt(), height = size.second.toUInt(), orientation = null,
                lat = null, lon = null, album = "Camera", favorite = false, screenshot = false,
                isVideo = false, isLive = false, durationMs = null,
            )
        }
    }

    @Test
    fun peopleNamedThenExcludedLeaveEverySuggestion() {
        KeepsakeStore.open(tempDb(), "UTC").use { store ->
            store.sync(records(), full = true)
            store.grant(ConsentScope.PIXELS, ConsentScope.FACES, ConsentScope.SUGGESTIONS)
            val summary = assertNotNull(store.analyze(model, embedder).use { it.await(Duration.ofMinutes(5)) })
            assertTrue(summary.facesDescribed > 0u && summary.people > 0u, "$summary")
            val people = store.people()
            assertEquals(summary.people.toInt(), people.count { !it.excluded })
            val person = people.first()
            assertNotNull(person.cover)
            store.name(person.id, "Ada")
            store.birthday(person.id, Birthday(6u, 18u, null))
            assertEquals("Ada", store.people().first { it.id == person.id }.name)
            assertFailsWith<ApiException.InvalidArgument> { store.birthday(person.id, Birthday(2u, 30u, null)) }
            assertFailsWith<ApiException.NotFound> { store.name(999_999, "Nobody") }
            val theirs = store.personFaces(person.id).map { it.assetId }.toSet()
            assertTrue(theirs.isNotEmpty())
            store.excludePerson(person.id)
            val excluded = store.people().first { it.id == person.id }
            assertTrue(excluded.excluded && excluded.name == null && excluded.cover == null)
            assertTrue(store.personFaces(person.id).isEmpty())
            for (s in store.suggestions(now)) {
                assertTrue(s.assetIds.none { it in theirs }, "suggestion ${s.id} shows an excluded person")
            }
            assertFailsWith<ApiException.InvalidArgument> { store.name(person.id, "Ada") }
            // An embedder without a detector is refused up front.
            assertFailsWith<ApiException.InvalidArgument> { store.analyze(null, embedder) }
        }
    }

    @Test
    fun syncConsentAnalyseCancelResumeSuggestCollageRevoke() {
        assertTrue(model.isFile, "shared model missing: $model")
        val records = records()
        assertTrue(records.size >= 40, "photos_meta gives ${records.size} JPEG records")
        KeepsakeStore.open(tempDb(), "UTC").use { store ->
            val summary = store.sync(records, full = true)
            assertEquals(records.size.toULong(), summary.added)
            assertTrue(summary.rejected.isEmpty())
            assertFailsWith<ApiException.ConsentRequired> { store.analyze(model) }

            store.grant(ConsentScope.PIXELS, ConsentScope.FACES, ConsentScope.SUGGESTIONS)
            assertTrue(store.consent().values.all { it })

            // Cancel as soon as progress arrives; the error says so and the work is kept.
            val seen = AtomicLong(0)
            val first = store.analyze(model, threads = 1) { done, _ -> seen.set(done) }
            first.use { run ->
                val start = System.nanoTime()
                while (seen.get() == 0L && !run.isFinished && System.nanoTime() - start < 60e9) Thread.sleep(5)
                run.cancel()
                assertFailsWith<ApiException.Cancelled> { run.await(Duration.ofSeconds(30)) }
            }
            // Resume: only what the first run did not commit.
            val progress = mutableListOf<Long>()
            val result = store.analyze(model) { done, _ -> synchronized(progress) { progress.add(done) } }
                .use { run ->
                    // Other threads keep using the store while the analysis writes: every
                    // call answers, none waits for the analysis to end.
                    val answers = AtomicLong(0)
                    val workers = (1..4).map {
                        Thread {
                            repeat(5) {
                                store.consent()
                                store.suggestions(now)
                                answers.incrementAndGet()
                            }
                        }.apply { start() }
                    }
                    workers.forEach { it.join(60_000) }
                    assertEquals(20, answers.get(), "calls from other threads during the analysis")
                    assertNotNull(run.await(Duration.ofMinutes(5)))
                }
            assertTrue(result.analysed.toLong() + result.failed.toLong() <= records.size)
            assertTrue(result.analysed > 0u)
            assertTrue(progress.isNotEmpty(), "progress was reported")
            assertTrue(store.faces().isNotEmpty(), "faces were found")

            val suggestions = store.suggestions(now)
            assertTrue(suggestions.isNotEmpty())
            val best = suggestions.first()
            val layout = store.layout(best.id, CollageStyle(size = 1024), now)
            assertTrue(layout.cells.isNotEmpty())
            assertEquals(1024u, maxOf(layout.width, layout.height))
            val image = store.collage(best.id, CollageStyle(size = 1024), now = now)
            assertContentEquals(byteArrayOf(0xFF.toByte(), 0xD8.toByte()), image.bytes.copyOfRange(0, 2))
            assertTrue(image.failedAssets.isEmpty(), "every photo drawn: ${image.failedAssets}")
            val file = File(tempDb().parentFile, "collage.png")
            val written = store.collageToFile(best.id, file, CollageStyle(size = 512), ImageFormat.Png, now = now)
            assertTrue(written.bytes.isEmpty() && file.readBytes().copyOfRange(1, 4).contentEquals("PNG".toByteArray()))
            assertTrue(store.storyJson(best.id, now).contains("\"frames\""))
            // A classic effect over the collage: mono PNG pixels are grey.
            val mono = store.collage(best.id, CollageStyle(size = 256, effect = PhotoEffect.MONO), ImageFormat.Png, now = now)
            val decoded = ImageIO.read(java.io.ByteArrayInputStream(mono.bytes))
            val rgb = decoded.getRGB(decoded.width / 2, decoded.height / 2)
            assertTrue((rgb shr 16 and 0xFF) == (rgb and 0xFF) && (rgb shr 8 and 0xFF) == (rgb and 0xFF), "grey: ${Integer.toHexString(rgb)}")
            assertFailsWith<ApiException.InvalidArgument> {
                store.collage(best.id, CollageStyle(size = 256, effect = PhotoEffect.MONO, effectStrength = 2f), now = now)
            }
            // One photo with an effect.
            val sketch = store.photo(best.coverId, 300, ImageFormat.Png, PhotoEffect.SKETCH)
            val photo = ImageIO.read(java.io.ByteArrayInputStream(sketch.bytes))
            assertEquals(300, maxOf(photo.width, photo.height))
            assertFailsWith<ApiException.NotFound> { store.photo("no-such-photo") }
            assertFailsWith<ApiException.NotFound> { store.layout("no-such-suggestion", now = now) }

            // Revoke: derived data gone, suggestions refused.
            assertTrue(store.revoke(*ConsentScope.values()) > 0)
            assertTrue(store.faces().isEmpty())
            assertFailsWith<ApiException.ConsentRequired> { store.suggestions(now) }
            assertTrue(store.exportJson().contains("\"assets\""))
        }
    }

    @Test
    fun errorPaths() {
        // A path that cannot hold a database.
        assertFailsWith<ApiException> { KeepsakeStore.open(File("/proc/keepsake/none.db"), "UTC") }
        assertFailsWith<ApiException.InvalidArgument> { KeepsakeStore.open(tempDb(), "Mars/Olympus") }
        val db = tempDb()
        val store = KeepsakeStore.open(db, "UTC")
        // A second open in this process is a handle on the same store, not a collision;
        // outside the façade (another process's view) the file is in use.
        val second = KeepsakeStore.open(db, "UTC")
        assertEquals(2, KeepsakeStore.openHandles(db))
        assertFailsWith<ApiException.StoreInUse> { Keepsake.open(db.path, "UTC") }
        second.close()
        second.close()
        assertEquals(1, KeepsakeStore.openHandles(db))
        assertFailsWith<IllegalStateException> { second.consent() }
        // Records with missing or absurd fields are rejected one by one, the rest indexed.
        val good = records().take(2)
        val absurd = good[0].copy(id = "absurd", orientation = 9u)
        val blank = good[1].copy(id = "", uri = "")
        val summary = store.sync(good + absurd + blank, full = false)
        assertEquals(2uL, summary.added)
        assertEquals(listOf(3uL, 4uL), summary.rejected.map { it.position })
        // No consent: refused before anything runs.
        assertFailsWith<ApiException.ConsentRequired> { store.analyze() }
        store.grant(ConsentScope.PIXELS, ConsentScope.FACES)
        // A model that is not ONNX: refused when the analysis starts, not later.
        val notAModel = File(db.parentFile, "model.onnx").apply { writeText("not a model") }
        assertFailsWith<ApiException.InvalidArgument> { store.analyze(notAModel) }
        // A listener that throws: the analysis stops with a clear error; the store lives on.
        store.analyze { _, _ -> throw IllegalStateException("listener bug") }.use { run ->
            val e = assertFailsWith<ApiException.ListenerFailed> { run.await(Duration.ofMinutes(2)) }
            assertTrue(e.reason.contains("listener bug"), e.reason)
        }
        assertTrue(store.consent()[ConsentScope.PIXELS] == true)
        store.close()
        store.close()
        // After the last handle's close: a clear error on this side, and the database is free again.
        assertEquals(0, KeepsakeStore.openHandles(db))
        assertFailsWith<IllegalStateException> { store.consent() }
        KeepsakeStore.open(db, "UTC").use { again -> assertEquals(true, again.consent()[ConsentScope.PIXELS]) }
    }

    @Test
    fun closedStoreGivesClosedToOtherHolders() {
        val raw = Keepsake.open(tempDb().path, "UTC")
        raw.closeStore()
        assertFailsWith<ApiException.Closed> { raw.consentStatus() }
        raw.close()
    }
}

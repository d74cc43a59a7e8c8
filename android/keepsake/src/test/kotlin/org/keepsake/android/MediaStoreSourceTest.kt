package org.keepsake.android

import android.Manifest
import android.app.Application
import android.provider.MediaStore
import java.io.File
import java.nio.file.Files
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.keepsake.KeepsakeStore
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** MediaStore rows into Keepsake records, against the Android 14 framework (and 10). */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34])
class MediaStoreSourceTest {
    private lateinit var app: Application
    private lateinit var db: File
    private val day = 86_400L

    @Before
    fun setUp() {
        app = FakeMediaStore.install()
        shadowOf(app).grantPermissions(Manifest.permission.READ_MEDIA_IMAGES)
        db = File(Files.createTempDirectory("keepsake-ms").toFile(), "k.db")
    }

    @After
    fun tearDown() {
        db.parentFile?.deleteRecursively()
    }

    private fun records() = MediaStoreSource(app).query(-1, -1).records

    @Test
    fun mapsEveryColumn() {
        val taken = 1_763_000_000_000L
        FakeMediaStore.rows += FakeMediaStore.photo(
            1, 10, taken / 1000, taken,
            mapOf(MediaStore.MediaColumns.IS_FAVORITE to 1, MediaStore.MediaColumns.ORIENTATION to 90),
        )
        FakeMediaStore.rows += FakeMediaStore.photo(
            2, 11, taken / 1000, taken,
            mapOf(
                MediaStore.MediaColumns.BUCKET_DISPLAY_NAME to "Captures",
                MediaStore.MediaColumns.RELATIVE_PATH to "Pictures/Screenshots/",
            ),
        )
        FakeMediaStore.rows += FakeMediaStore.photo(
            3, 12, taken / 1000, taken,
            mapOf(
                MediaStore.Files.FileColumns.MEDIA_TYPE to MediaStore.Files.FileColumns.MEDIA_TYPE_VIDEO,
                MediaStore.MediaColumns.MIME_TYPE to "video/mp4",
                MediaStore.MediaColumns.DURATION to 12_500L,
            ),
        )
        val byId = records().associateBy { it.id }
        val photo = byId.getValue("1")
        assertEquals("content://media/external/images/media/1", photo.uri)
        assertEquals(taken, photo.capturedMs)
        assertEquals(taken / 1000 * 1000, photo.modifiedMs)
        assertEquals(123_456uL, photo.size)
        assertEquals(4000u, photo.width)
        assertEquals(6.toUByte(), photo.orientation)
        assertEquals("Camera", photo.album)
        assertTrue(photo.favorite)
        assertFalse(photo.screenshot)
        assertNull(photo.lat)
        assertTrue(byId.getValue("2").screenshot)
        val video = byId.getValue("3")
        assertTrue(video.isVideo)
        assertEquals("content://media/external/video/media/3", video.uri)
        assertEquals(12_500uL, video.durationMs)
        assertTrue(FakeMediaStore.projections.last().containsAll(
            listOf(MediaStore.MediaColumns.GENERATION_MODIFIED, MediaStore.MediaColumns.IS_FAVORITE, MediaStore.MediaColumns.RELATIVE_PATH),
        ))
    }

    @Test
    fun nullsAndAbsurdValuesBecomeUnknownAndTheRowStays() {
        FakeMediaStore.rows += FakeMediaStore.photo(
            7, 1, -5, 0,
            mapOf(
                MediaStore.MediaColumns.SIZE to -1L,
                MediaStore.MediaColumns.WIDTH to 0,
                MediaStore.MediaColumns.HEIGHT to 5_000_000_000L,
                MediaStore.MediaColumns.ORIENTATION to 45,
                MediaStore.MediaColumns.DISPLAY_NAME to null,
                MediaStore.MediaColumns.BUCKET_DISPLAY_NAME to null,
                MediaStore.MediaColumns.IS_FAVORITE to null,
            ),
        )
        // Milliseconds where seconds belong: past year 9999, so unknown.
        FakeMediaStore.rows += FakeMediaStore.photo(8, 2, 1_763_000_000_000_000L, null)
        // No id: not a row anyone can ask for again.
        FakeMediaStore.rows += FakeMediaStore.photo(9, 3, 1, 1, mapOf(MediaStore.Files.FileColumns._ID to null))
        val byId = records().associateBy { it.id }
        assertEquals(setOf("7", "8"), byId.keys)
        val odd = byId.getValue("7")
        assertNull(odd.size); assertNull(odd.width); assertNull(odd.height); assertNull(odd.orientation)
        assertNull(odd.capturedMs); assertEquals(0L, odd.modifiedMs); assertNull(odd.name); assertNull(odd.album)
        assertFalse(odd.favorite)
        assertEquals(0L, byId.getValue("8").modifiedMs)
        assertNull(byId.getValue("8").capturedMs)
        // And the core indexes them all (the date comes from what it can trust).
        KeepsakeStore.open(db, "UTC").use { store ->
            val summary = MediaStoreSource(app).sync(store)
            assertEquals(2uL, summary.added)
            assertTrue(summary.rejected.isEmpty())
        }
    }

    @Test
    fun incrementalByGenerationAndFullWhenTheVolumeChanges() {
        val now = 1_763_000_000L
        FakeMediaStore.daily(1L..3L, now)
        KeepsakeStore.open(db, "UTC").use { store ->
            val source = MediaStoreSource(app)
            assertEquals(3uL, source.sync(store).added)
            // A new photo and one deleted: the incremental sync asks past generation 3 only,
            // so the deletion waits for a full listing.
            FakeMediaStore.rows.removeIf { it[MediaStore.Files.FileColumns._ID] == 1L }
            FakeMediaStore.rows += FakeMediaStore.photo(4, 4, now, now * 1000)
            val second = source.sync(store)
            assertEquals(1uL, second.added)
            assertTrue(FakeMediaStore.selections.last().contains("${MediaStore.MediaColumns.GENERATION_MODIFIED} >"))
            assertEquals(4, store.assetsInWindow(java.time.Instant.ofEpochSecond(now), 3650).size)
            // The volume was rebuilt (new MediaStore version): a full listing, deletions seen.
            FakeMediaStore.version = "v2"
            source.sync(store)
            assertFalse(FakeMediaStore.selections.last().contains(">"))
            assertEquals(
                setOf("2", "3", "4"),
                store.assetsInWindow(java.time.Instant.ofEpochSecond(now), 3650).map { it.id }.toSet(),
            )
        }
    }

    @Test
    fun partialAccessNeverTakesUnseenPhotosForDeleted() {
        val now = 1_763_000_000L
        FakeMediaStore.daily(1L..4L, now)
        KeepsakeStore.open(db, "UTC").use { store ->
            val source = MediaStoreSource(app)
            assertEquals(4uL, source.sync(store).added)
            // The user switches to "selected photos": only two are visible now.
            shadowOf(app).denyPermissions(Manifest.permission.READ_MEDIA_IMAGES)
            shadowOf(app).grantPermissions(Manifest.permission.READ_MEDIA_VISUAL_USER_SELECTED)
            assertTrue(source.partialAccess())
            FakeMediaStore.rows.removeIf { (it[MediaStore.Files.FileColumns._ID] as Long) > 2 }
            FakeMediaStore.version = "v2"
            source.reset()
            repeat(3) { source.sync(store) }
            assertEquals(4, store.assetsInWindow(java.time.Instant.ofEpochSecond(now), 3650).size)
        }
    }

    @Test
    @Config(sdk = [29])
    fun android10WithoutGenerationAndWithMissingColumns() {
        val now = 1_763_000_000L
        FakeMediaStore.missingColumns += MediaStore.MediaColumns.DATE_TAKEN
        FakeMediaStore.missingColumns += MediaStore.MediaColumns.ORIENTATION
        FakeMediaStore.rows += FakeMediaStore.photo(1, 1, now - day, null)
        val records = records()
        assertEquals(1, records.size)
        assertNull(records[0].capturedMs)
        assertNull(records[0].orientation)
        assertFalse(FakeMediaStore.projections.last().contains(MediaStore.MediaColumns.GENERATION_MODIFIED))
        assertFalse(FakeMediaStore.projections.last().contains(MediaStore.MediaColumns.IS_FAVORITE))
        KeepsakeStore.open(db, "UTC").use { store ->
            val source = MediaStoreSource(app)
            source.sync(store)
            FakeMediaStore.rows += FakeMediaStore.photo(2, 2, now, now * 1000)
            assertEquals(1uL, source.sync(store).added)
            // Without a generation column the incremental sync goes by modification time.
            assertTrue(FakeMediaStore.selections.last().contains("${MediaStore.MediaColumns.DATE_MODIFIED} >="))
        }
    }
}

package org.keepsake

import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import uniffi.keepsake_ffi.ApiException
import uniffi.keepsake_ffi.AssetRecord
import uniffi.keepsake_ffi.ConsentScope
import uniffi.keepsake_ffi.Coordinates
import uniffi.keepsake_ffi.JunkAlbums
import uniffi.keepsake_ffi.Keepsake
import uniffi.keepsake_ffi.LogLevel
import uniffi.keepsake_ffi.SpecialDate
import uniffi.keepsake_ffi.SpecialDateKind
import uniffi.keepsake_ffi.setLogLevel

/**
 * Everything the harness can do that an app needs, through the generated bindings: homes
 * (set, clear, inferred), the window, hidden ranges, excluded and junk albums, special
 * dates, dismiss and un-dismiss, monthly recaps drawn by id, forget, export, the audit log,
 * open-or-rebuild with its report, the log level. Synthetic records (no photo is read).
 */
class WholeApiTest {
    private val now: Instant = Instant.parse("2026-11-20T12:00:00Z")
    private val paris = Coordinates(48.8566, 2.3522)
    private val rome = Coordinates(41.9028, 12.4964)

    private fun tempDb(): File = Files.createTempDirectory("keepsake-api").toFile().resolve("k.db")

    /** A year of evenings at home in Paris, a week in Rome in October, and a
     * "WhatsApp Images" and a "Capturas de pantalla" album. */
    private fun records(): List<AssetRecord> {
        val out = mutableListOf<AssetRecord>()
        fun add(at: Instant, place: Coordinates, album: String = "Camera") {
            val id = "${out.size + 1}"
            out += AssetRecord(
                id = id, uri = "content://media/external/images/media/$id", name = "p$id.jpg",
                mime = "image/jpeg", size = 1000uL, modifiedMs = at.toEpochMilli(), capturedAt = null,
                capturedMs = at.toEpochMilli(), offsetMinutes = 60, dateTrust = null, width = 4000u,
                height = 3000u, orientation = 1u, lat = place.lat, lon = place.lon, album = album,
                favorite = false, screenshot = false, isVideo = false, isLive = false, durationMs = null,
            )
        }
        val trip = Instant.parse("2026-10-05T08:00:00Z")
        var day = now.minus(Duration.ofDays(365))
        while (day < now) {
            // Nobody is home during the trip.
            if (day < trip.minus(Duration.ofDays(1)) || day > trip.plus(Duration.ofDays(6))) {
                for (k in 0 until 4) add(day.plus(Duration.ofMinutes(2L * k)), paris)
            }
            day = day.plus(Duration.ofDays(2))
        }
        for (d in 0 until 5) for (h in listOf(0L, 3L, 6L)) {
            for (k in 0 until 3) add(trip.plus(Duration.ofDays(d.toLong())).plus(Duration.ofHours(h)).plusSeconds(60L * k), rome)
        }
        for (k in 0 until 6) add(now.minus(Duration.ofDays(3)).plusSeconds(k * 60L), paris, "WhatsApp Images")
        for (k in 0 until 6) add(now.minus(Duration.ofDays(2)).plusSeconds(k * 60L), paris, "Capturas de pantalla")
        return out
    }

    @Test
    fun theWholeApiThroughTheBindings() {
        setLogLevel(LogLevel.WARN)
        val db = tempDb()
        val store = Keepsake.open(db.path, "Europe/Paris")
        try {
            assertNull(store.rebuildReport())
            val recs = records()
            assertEquals(recs.size.toULong(), store.syncRecords(recs, true).added)
            assertFailsWith<ApiException.ConsentRequired> { store.homes(50.0) }
            store.grantConsent(ConsentScope.SUGGESTIONS)
            val nowMs = now.toEpochMilli()

            // Homes: inferred, set, cleared.
            val inferred = store.homes(50.0)
            assertTrue(inferred.size == 1 && !inferred[0].userSet && inferred[0].days > 100uL, "$inferred")
            assertNull(store.userHome())
            store.setHome(rome)
            assertEquals(rome, store.userHome())
            assertTrue(store.homes(50.0).single().userSet)
            assertFailsWith<ApiException.InvalidArgument> { store.setHome(Coordinates(91.0, 0.0)) }
            store.clearHome()
            assertNull(store.userHome())
            assertFalse(store.homes(50.0).single().userSet)
            assertEquals(1, store.trips(50.0).size)

            // The window.
            val window = store.recentWindow(nowMs, 30u)
            assertEquals("2026-11-20", window.lastDay)
            assertEquals("2026-10-22", window.firstDay)
            assertTrue(window.startMs < window.endMs)

            // Junk albums: English defaults; the app adds its language's names.
            val junk = store.junkAlbums()
            assertTrue("whatsapp" in junk.contains, "$junk")
            val recentIds = { store.suggestions(nowMs, listOf()).flatMap { it.assetIds }.toSet() }
            val spanish = recs.filter { it.album == "Capturas de pantalla" }.map { it.id }.toSet()
            val whatsapp = recs.filter { it.album == "WhatsApp Images" }.map { it.id }.toSet()
            assertTrue(recentIds().none { it in whatsapp })
            assertTrue(recentIds().any { it in spanish }, "not junk until the app says so")
            store.setJunkAlbums(JunkAlbums(junk.contains + "capturas de pantalla", junk.exact))
            assertTrue(recentIds().none { it in spanish })
            assertFailsWith<ApiException.InvalidArgument> { store.setJunkAlbums(JunkAlbums(listOf(" "), listOf())) }

            // Excluded albums, hidden ranges: add, list, remove.
            store.setAlbumExcluded("Camera", true)
            assertEquals(listOf("Camera"), store.excludedAlbums())
            store.setAlbumExcluded("Camera", false)
            assertTrue(store.excludedAlbums().isEmpty())
            val range = store.hideRange(Instant.parse("2026-10-01T00:00:00Z").toEpochMilli(), Instant.parse("2026-10-31T00:00:00Z").toEpochMilli())
            assertEquals(listOf(range), store.hiddenRanges().map { it.id })
            assertTrue(store.suggestions(nowMs, listOf()).none { it.id.startsWith("trip_highlights:") })
            assertTrue(store.removeHiddenRange(range))
            assertFalse(store.removeHiddenRange(range))

            // Ids name what a suggestion is about; a month asked for is drawn by its id.
            val trip = store.suggestions(nowMs, listOf()).single { it.id.startsWith("trip_highlights:") }
            assertEquals("trip_highlights:2026-10-05", trip.id)
            val october = store.suggestions(nowMs, listOf(202610u)).single { it.id == "monthly_recap:2026-10" }
            assertTrue(october.assetIds.isNotEmpty())
            assertTrue(store.recapStoryJson("monthly_recap:2026-10", nowMs).contains("\"frames\""))
            // Never listed, still drawn: the id names the month.
            assertTrue(store.collageLayout("monthly_recap:2026-08", nowMs, CollageStyle(size = 512).options()).cells.isNotEmpty())
            assertFailsWith<ApiException.NotFound> { store.collageLayout("monthly_recap:1999-08", nowMs, CollageStyle(size = 512).options()) }
            store.dismissSuggestion(trip.id)
            assertEquals(listOf(trip.id), store.dismissedSuggestions())
            assertTrue(store.suggestions(nowMs, listOf()).none { it.id == trip.id })
            assertTrue(store.undismissSuggestion(trip.id))
            assertTrue(store.suggestions(nowMs, listOf()).any { it.id == trip.id })

            // Special dates.
            val id = store.addSpecialDate(SpecialDate(0, "Mia", SpecialDateKind.BIRTHDAY, 11u, 24u, 2020))
            assertEquals("Mia", store.specialDates().single { it.id == id }.label)
            assertTrue(store.removeSpecialDate(id))

            // Forget: gone from the index and from every suggestion; audited without names.
            val forgotten = trip.assetIds.first()
            assertTrue(store.forget(listOf(forgotten)).rowsDeleted > 0uL)
            assertTrue(store.suggestions(nowMs, listOf()).none { forgotten in it.assetIds })
            assertFalse(store.exportJson().contains("\"content://media/external/images/media/$forgotten\""))
            val audit = store.auditLog()
            assertTrue(audit.any { it.action == "forget" } && audit.any { it.action == "consent_grant" }, "$audit")
            assertTrue(audit.none { (it.detail ?: "").contains("content://") })
        } finally {
            store.closeStore()
            store.close()
        }

        // A damaged store is erased and rebuilt, and says so.
        db.writeBytes(ByteArray(8192) { 0x5A })
        File(db.path + "-wal").delete()
        assertFailsWith<ApiException> { Keepsake.open(db.path, "Europe/Paris").close() }
        val rebuilt = Keepsake.openOrRebuild(db.path, "Europe/Paris")
        try {
            val report = assertNotNull(rebuilt.rebuildReport())
            assertTrue(report.erasedBytes >= 8192uL && report.reason.isNotBlank(), "$report")
            assertTrue(rebuilt.consentStatus().none { it.granted })
        } finally {
            rebuilt.closeStore()
            rebuilt.close()
        }
    }
}

package org.keepsake.android

import android.Manifest
import android.app.Application
import android.app.job.JobScheduler
import android.provider.MediaStore
import java.io.File
import java.nio.file.Files
import java.time.Instant
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReference
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assume.assumeTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.keepsake.KeepsakeStore
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import uniffi.keepsake_ffi.ConsentScope
import uniffi.keepsake_ffi.PixelAnswer
import uniffi.keepsake_ffi.PixelRequest
import uniffi.keepsake_ffi.PixelSource

/**
 * The background job on the framework's JobScheduler: its constraints, a pass that syncs
 * MediaStore and analyses through the pixel source on the app's own open store, a stop
 * that cancels through the analysis handle and a pass that resumes, and no processing
 * without consent. Real photos from ../shared (the dlib group photos and an iPhone photo
 * with EXIF GPS).
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34])
@GraphicsMode(GraphicsMode.Mode.NATIVE)
class AnalysisJobTest {
    private lateinit var app: Application
    private lateinit var db: File
    private val shared = File(System.getenv("KEEPSAKE_SHARED") ?: "../shared")
    private val gpsPhotoId = 100L

    @Before
    fun setUp() {
        app = FakeMediaStore.install()
        shadowOf(app).grantPermissions(Manifest.permission.READ_MEDIA_IMAGES, Manifest.permission.ACCESS_MEDIA_LOCATION)
        db = File(Files.createTempDirectory("keepsake-job").toFile(), "k.db")
    }

    @After
    fun tearDown() {
        db.parentFile?.deleteRecursively()
    }

    /** The shared photos as MediaStore rows; returns how many. */
    private fun library(): Int {
        val dlib = File(shared, "data/faces/dlib_pascal_voc/images").listFiles { f -> f.extension == "jpg" }
        if (dlib == null && System.getenv("CI") == null) {
            println("AnalysisJobTest: skipped, no ../shared photos")
            assumeTrue(false)
        }
        val photos = dlib!!.sortedBy { it.name } + File(shared, "data/photos_meta/metadata-extractor-images/jpg__Apple_iPhone_4.jpg")
        val now = 1_763_000_000L
        photos.forEachIndexed { i, file ->
            val id = if (i == photos.size - 1) gpsPhotoId else i + 1L
            FakeMediaStore.files[id] = file
            FakeMediaStore.rows += FakeMediaStore.photo(id, id, now - i * 3600, (now - i * 3600) * 1000)
        }
        return photos.size
    }

    private fun service(): AnalysisJobService = Robolectric.setupService(AnalysisJobService::class.java)

    private fun runJob(service: AnalysisJobService): Boolean {
        val done = CountDownLatch(1)
        val reschedule = AtomicReference<Boolean>()
        assertTrue(service.start(7, BackgroundAnalysis.Options(db)) { reschedule.set(it); done.countDown() })
        assertTrue("job did not finish", done.await(5, TimeUnit.MINUTES))
        return reschedule.get()
    }

    @Test
    fun scheduledWithConstraintsThatKeepItOutOfTheUsersWay() {
        assertTrue(AnalysisJobService.schedule(app, BackgroundAnalysis.Options(db, model = File("/m.onnx"))))
        val job = app.getSystemService(JobScheduler::class.java).allPendingJobs.single()
        assertEquals(AnalysisJobService.JOB_ID, job.id)
        assertTrue(job.isRequireCharging)
        assertTrue(job.isRequireDeviceIdle)
        assertTrue(job.isRequireBatteryNotLow)
        assertTrue(job.isRequireStorageNotLow)
        assertEquals(AnalysisJobService::class.java.name, job.service.className)
        val options = BackgroundAnalysis.Options.fromExtras(job.extras)
        assertEquals(BackgroundAnalysis.Options(db, model = File("/m.onnx")), options)
        // Rescheduling replaces it; cancel removes it.
        AnalysisJobService.schedule(app, BackgroundAnalysis.Options(db), AnalysisJobService.Constraints(idle = false))
        assertFalse(app.getSystemService(JobScheduler::class.java).allPendingJobs.single().isRequireDeviceIdle)
        AnalysisJobService.cancel(app)
        assertTrue(app.getSystemService(JobScheduler::class.java).allPendingJobs.isEmpty())
        // Extras from someone else: nothing to run.
        assertNull(BackgroundAnalysis.Options.fromExtras(android.os.PersistableBundle()))
        assertFalse(service().start(1, null) {})
    }

    @Test
    fun aPassSyncsAndAnalysesThroughThePixelSourceOnTheAppsOwnStore() {
        val count = library()
        // The app holds its store open (a screen), with consent given.
        KeepsakeStore.open(db, "UTC").use { app ->
            app.grant(ConsentScope.PIXELS)
            val service = service()
            assertFalse(runJob(service))
            assertEquals(BackgroundAnalysis.Outcome.FINISHED, service.lastOutcome)
            val summary = service.lastPass?.summary
            assertNotNull(summary)
            summary!!
            assertEquals(count.toULong(), summary.analysed)
            assertEquals(0uL, summary.needHostPixels)
            // The place came from the original's EXIF (requireOriginal: location access).
            assertTrue(summary.metadataFilled >= 1uL)
            val gps = app.assetsInWindow(Instant.ofEpochSecond(1_763_000_000L), 3650).single { it.id == "$gpsPhotoId" }
            assertEquals(41.853, gps.lat!!, 0.01)
            assertTrue(FakeMediaStore.opened.any { it.getQueryParameter("requireOriginal") == "1" })
            // The app's handle is untouched by the job's open and close.
            assertEquals(1, KeepsakeStore.openHandles(db))
            assertTrue(app.consent()[ConsentScope.PIXELS] == true)
        }
    }

    @Test
    fun stopCancelsThroughTheHandleAndTheNextPassResumes() {
        val count = library()
        KeepsakeStore.open(db, "UTC").use { it.grant(ConsentScope.PIXELS) }
        val firstCall = CountDownLatch(3)
        val slow = object : PixelSource {
            val inner = MediaStorePixels(app)
            override fun pixels(request: PixelRequest): PixelAnswer {
                firstCall.countDown()
                Thread.sleep(300)
                return inner.pixels(request)
            }
        }
        val service = service()
        service.pixelSource = slow
        val finished = CountDownLatch(1)
        assertTrue(service.start(7, BackgroundAnalysis.Options(db)) { finished.countDown() })
        // Three photos asked for: the first has come back and is finished work to keep.
        assertTrue(firstCall.await(2, TimeUnit.MINUTES))
        assertTrue(service.isRunning(7))
        // onStopJob: cancel, and ask to be rescheduled.
        assertTrue(service.stop(7))
        val deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1)
        while (service.lastOutcome == null && System.nanoTime() < deadline) Thread.sleep(20)
        assertEquals(BackgroundAnalysis.Outcome.STOPPED, service.lastOutcome)
        assertTrue(BackgroundAnalysis.Outcome.STOPPED.reschedule)
        // A stopped pass does not call jobFinished itself (onStopJob's answer reschedules).
        assertFalse(finished.await(500, TimeUnit.MILLISECONDS))
        // The next pass does what is left, and no more.
        service.pixelSource = null
        assertFalse(runJob(service))
        val resumed = service.lastPass!!.summary!!
        val rest = resumed.analysed
        assertTrue("resumed pass analysed $rest of $count", rest in 1uL until count.toULong())
        assertEquals(0, KeepsakeStore.openHandles(db))
    }

    @Test
    fun nothingRunsWithoutConsent() {
        library()
        val service = service()
        assertFalse(runJob(service))
        assertEquals(BackgroundAnalysis.Outcome.NO_CONSENT, service.lastOutcome)
        // Nothing was opened: no processing before consent.
        assertTrue(FakeMediaStore.opened.isEmpty())
        // A stop with nothing running is harmless (and still asks for a later run).
        assertTrue(service.stop(7))
    }
}

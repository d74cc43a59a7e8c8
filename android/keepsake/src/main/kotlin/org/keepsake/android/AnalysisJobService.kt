package org.keepsake.android

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import java.util.concurrent.ConcurrentHashMap
import kotlin.concurrent.thread
import uniffi.keepsake_ffi.PixelSource

/**
 * Keepsake's analysis as a framework JobScheduler job: by default only while charging, idle,
 * with the battery and storage not low, so it never competes with the user. When the
 * system stops the job (a constraint lapsed), [onStopJob] cancels the pass through its
 * analysis handle and asks for a reschedule; the next run resumes where it stopped.
 *
 * Declare it in the app's manifest (the library's manifest does):
 * `<service android:name="org.keepsake.android.AnalysisJobService"
 *  android:permission="android.permission.BIND_JOB_SERVICE" android:exported="false"/>`,
 * and call [schedule] after a sync finds new photos.
 */
class AnalysisJobService : JobService() {
    private val runs = ConcurrentHashMap<Int, BackgroundAnalysis>()

    override fun onStartJob(params: JobParameters): Boolean =
        start(params.jobId, BackgroundAnalysis.Options.fromExtras(params.extras)) { reschedule ->
            jobFinished(params, reschedule)
        }

    override fun onStopJob(params: JobParameters): Boolean = stop(params.jobId)

    /** Starts a pass on its own thread; false when there is nothing to run. */
    internal fun start(jobId: Int, options: BackgroundAnalysis.Options?, finished: (reschedule: Boolean) -> Unit): Boolean {
        if (options == null) return false
        val pass = pixelSource?.let { BackgroundAnalysis(this, options, it) } ?: BackgroundAnalysis(this, options)
        runs.put(jobId, pass)?.stop()
        thread(name = "keepsake-job-$jobId", isDaemon = true) {
            val outcome = pass.run()
            lastPass = pass
            lastOutcome = outcome
            // A pass stopped by onStopJob is rescheduled by its return value, not here.
            if (runs.remove(jobId, pass)) finished(outcome.reschedule)
        }
        return true
    }

    /** Cancels the job's pass; true: run it again later. */
    internal fun stop(jobId: Int): Boolean {
        runs.remove(jobId)?.stop()
        return true
    }

    /** Whether a pass of this job is running in this service. */
    internal fun isRunning(jobId: Int): Boolean = runs.containsKey(jobId)

    /** The pixel source passes use (null: [MediaStorePixels]); tests slow it down. */
    @Volatile internal var pixelSource: PixelSource? = null

    @Volatile internal var lastPass: BackgroundAnalysis? = null

    @Volatile internal var lastOutcome: BackgroundAnalysis.Outcome? = null

    /** The job's constraints; the defaults keep analysis out of the user's way. */
    data class Constraints(
        val charging: Boolean = true,
        val idle: Boolean = true,
        val batteryNotLow: Boolean = true,
        val storageNotLow: Boolean = true,
    )

    companion object {
        /** The job id (one analysis job per app; [schedule] replaces a pending one). */
        const val JOB_ID = 0x4B53_0001

        /** Schedules one analysis pass; true when the scheduler accepted it. */
        @JvmStatic
        @JvmOverloads
        fun schedule(
            context: Context,
            options: BackgroundAnalysis.Options,
            constraints: Constraints = Constraints(),
        ): Boolean {
            val job = JobInfo.Builder(JOB_ID, ComponentName(context, AnalysisJobService::class.java))
                .setRequiresCharging(constraints.charging)
                .setRequiresDeviceIdle(constraints.idle)
                .setRequiresBatteryNotLow(constraints.batteryNotLow)
                .setRequiresStorageNotLow(constraints.storageNotLow)
                .setExtras(options.toExtras())
                // An idle job is retried at the next idle window (the framework refuses a
                // back-off policy for it); otherwise back off from 15 minutes.
                .apply { if (!constraints.idle) setBackoffCriteria(15 * 60 * 1000L, JobInfo.BACKOFF_POLICY_EXPONENTIAL) }
                .build()
            return scheduler(context).schedule(job) == JobScheduler.RESULT_SUCCESS
        }

        @JvmStatic
        fun cancel(context: Context) = scheduler(context).cancel(JOB_ID)

        private fun scheduler(context: Context): JobScheduler =
            context.getSystemService(JobScheduler::class.java)
    }
}

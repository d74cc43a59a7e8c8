package org.keepsake.android

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import java.io.File
import java.time.Duration
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.keepsake.KeepsakeStore
import uniffi.keepsake_ffi.AnalysisSummary
import uniffi.keepsake_ffi.ApiException

/**
 * Runs Keepsake's analysis under WorkManager constraints — charging and idle by default
 * ([enqueue] takes others). When a constraint lapses, WorkManager stops the worker: the
 * analysis is cancelled (the worker closes it), committed work is kept, and the retry
 * resumes where it stopped.
 */
class AnalysisWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result = withContext(Dispatchers.IO) {
        val db = inputData.getString(KEY_DB) ?: return@withContext Result.failure()
        val model = inputData.getString(KEY_MODEL)?.let(::File)
        val embedder = inputData.getString(KEY_EMBEDDER)?.let(::File)
        try {
            KeepsakeStore.open(File(db)).use { store ->
                store.analyze(model, embedder) { done, total ->
                    setProgressAsync(workDataOf("done" to done, "total" to (total ?: -1L)))
                }.use { analysis ->
                    // Poll, so a stop (constraints lapsed) is seen within a second.
                    var summary: AnalysisSummary? = null
                    while (summary == null && !isStopped) {
                        summary = analysis.await(Duration.ofSeconds(1))
                    }
                    if (summary == null) {
                        analysis.cancel()
                        Result.retry()
                    } else {
                        Result.success(
                            workDataOf("analysed" to summary.analysed.toLong(), "faces" to summary.faces.toLong()),
                        )
                    }
                }
            }
        } catch (e: ApiException.Cancelled) {
            Result.retry()
        } catch (e: ApiException.StoreInUse) {
            Result.retry()
        } catch (e: ApiException.ConsentRequired) {
            // No processing before consent: nothing to do until the user grants it.
            Result.failure()
        }
    }

    companion object {
        const val KEY_DB = "db"
        const val KEY_MODEL = "model"
        const val KEY_EMBEDDER = "embedder"
        const val UNIQUE_NAME = "keepsake-analysis"

        /** Charging and idle: the defaults, so analysis never competes with the user. */
        val DEFAULT_CONSTRAINTS: Constraints = Constraints.Builder()
            .setRequiresCharging(true)
            .setRequiresDeviceIdle(true)
            .setRequiresBatteryNotLow(true)
            .build()

        /** Schedules one analysis run (replacing a queued one). */
        fun enqueue(
            context: Context,
            db: File,
            model: File?,
            embedder: File? = null,
            constraints: Constraints = DEFAULT_CONSTRAINTS,
        ) {
            val request = OneTimeWorkRequestBuilder<AnalysisWorker>()
                .setConstraints(constraints)
                .setInputData(workDataOf(KEY_DB to db.path, KEY_MODEL to model?.path, KEY_EMBEDDER to embedder?.path))
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(UNIQUE_NAME, ExistingWorkPolicy.REPLACE, request)
        }
    }
}

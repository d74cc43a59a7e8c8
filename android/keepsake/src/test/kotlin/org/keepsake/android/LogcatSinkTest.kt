package org.keepsake.android

import android.util.Log
import org.junit.Assert.assertEquals
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowLog
import uniffi.keepsake_ffi.LogLevel

@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34])
class LogcatSinkTest {
    @Test
    fun levelsMapToLogcatPrioritiesUnderOneTag() {
        ShadowLog.clear()
        val sink = LogcatSink()
        sink.log(LogLevel.WARN, "keepsake_core::analysis", "a photo exceeded its time budget")
        sink.log(LogLevel.TRACE, "keepsake_core::sync", "detail")
        val logs = ShadowLog.getLogsForTag("Keepsake")
        assertEquals(listOf(Log.WARN, Log.VERBOSE), logs.map { it.type })
        assertEquals("keepsake_core::analysis: a photo exceeded its time budget", logs[0].msg)
    }
}

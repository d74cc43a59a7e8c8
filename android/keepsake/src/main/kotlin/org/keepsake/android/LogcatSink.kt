package org.keepsake.android

import android.util.Log
import uniffi.keepsake_ffi.LogLevel
import uniffi.keepsake_ffi.LogSink
import uniffi.keepsake_ffi.installLogger

/** Routes the core's logs to logcat under the tag "Keepsake". Install once at start-up:
 * `LogcatSink.install()`. Trace level may contain file paths: keep it out of release builds. */
class LogcatSink : LogSink {
    override fun log(level: LogLevel, target: String, message: String) {
        val priority = when (level) {
            LogLevel.ERROR -> Log.ERROR
            LogLevel.WARN -> Log.WARN
            LogLevel.INFO -> Log.INFO
            LogLevel.DEBUG -> Log.DEBUG
            LogLevel.TRACE -> Log.VERBOSE
        }
        Log.println(priority, "Keepsake", "$target: $message")
    }

    companion object {
        fun install(level: LogLevel = LogLevel.INFO) = installLogger(LogcatSink(), level)
    }
}

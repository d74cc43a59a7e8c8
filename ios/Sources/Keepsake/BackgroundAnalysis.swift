#if canImport(BackgroundTasks) && os(iOS)
import BackgroundTasks
import Foundation

/// Runs Keepsake's analysis as a `BGProcessingTask`: by default only on external power
/// (and never needing the network). When iOS ends the task's time, the analysis is
/// cancelled; what was committed is kept and the next run resumes.
///
/// Register once at launch (before the app finishes launching), add the identifier to
/// `BGTaskSchedulerPermittedIdentifiers` in Info.plist, and call `schedule()` when there is
/// work (after a sync).
@available(iOS 16.0, *)
public final class BackgroundAnalysis {
    public let identifier: String
    public var requiresExternalPower: Bool
    private let open: () throws -> KeepsakeStore
    private let model: URL?

    /// `open` gives the store to analyse (called on the task's thread).
    public init(identifier: String, model: URL?, requiresExternalPower: Bool = true, open: @escaping () throws -> KeepsakeStore) {
        self.identifier = identifier
        self.model = model
        self.requiresExternalPower = requiresExternalPower
        self.open = open
    }

    public func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let processing = task as? BGProcessingTask else {
                task.setTaskCompleted(success: false)
                return
            }
            self.run(processing)
        }
    }

    public func schedule() throws {
        let request = BGProcessingTaskRequest(identifier: identifier)
        request.requiresExternalPower = requiresExternalPower
        request.requiresNetworkConnectivity = false
        try BGTaskScheduler.shared.submit(request)
    }

    private func run(_ task: BGProcessingTask) {
        let store: KeepsakeStore
        let analysis: Analysis
        do {
            store = try open()
            analysis = try store.analyze(model: model)
        } catch {
            task.setTaskCompleted(success: false)
            return
        }
        task.expirationHandler = {
            analysis.cancel()
        }
        DispatchQueue.global(qos: .background).async {
            let finished: Bool
            do {
                finished = try analysis.wait(timeout: 24 * 3600) != nil
            } catch {
                finished = false
            }
            store.close()
            task.setTaskCompleted(success: finished)
        }
    }
}
#endif

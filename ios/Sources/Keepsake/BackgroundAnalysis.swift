#if canImport(BackgroundTasks) && os(iOS)
import BackgroundTasks
import Foundation

/// Runs Keepsake's analysis as a `BGProcessingTask`: by default only on external power
/// (and never needing the network). When iOS ends the task's time, the analysis is
/// cancelled; what was committed is kept and the next run resumes. It runs on the app's
/// own store (the one its screens use) and never closes it.
///
/// Register once at launch (before the app finishes launching), add the identifier to
/// `BGTaskSchedulerPermittedIdentifiers` in Info.plist, and call `schedule()` when there is
/// work (after a sync).
@available(iOS 16.0, *)
public final class BackgroundAnalysis {
    public let identifier: String
    public var requiresExternalPower: Bool
    private let store: KeepsakeStore
    private let model: URL?
    private let embedder: URL?

    /// `store`: the app's store, analysed in the background and left open.
    public init(identifier: String, store: KeepsakeStore, model: URL?, embedder: URL? = nil, requiresExternalPower: Bool = true) {
        self.identifier = identifier
        self.store = store
        self.model = model
        self.embedder = embedder
        self.requiresExternalPower = requiresExternalPower
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
        let analysis: Analysis
        do {
            analysis = try store.analyze(model: model, embedder: embedder)
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
            if !finished {
                // Expired or failed part-way: ask for another run to resume.
                try? self.schedule()
            }
            task.setTaskCompleted(success: finished)
        }
    }
}
#endif

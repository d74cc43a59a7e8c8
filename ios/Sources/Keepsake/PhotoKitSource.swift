#if canImport(Photos)
import Foundation
import Photos
import UniformTypeIdentifiers

/// Maps the photo library (`PHAsset`) to Keepsake asset records, incrementally: the first
/// sync sends every asset (`full: true`); later syncs ask PhotoKit for the persistent
/// changes since the last token and send only inserted and updated assets, removing the
/// deleted ones. The token is kept in `UserDefaults` under `tokenKey`.
///
/// Records carry the album (the first user album holding the asset), the original file
/// name and its type (UTType → MIME), favourite, screenshot and Live Photo subtypes.
/// Photos of shared albums (other people's) are left out.
///
/// Needs read access to the library (`PHPhotoLibrary.requestAuthorization(for: .readWrite)`).
/// Under limited access only the photos the user picked are seen: every sync is then
/// additive, and nothing unseen is taken for deleted.
@available(iOS 16.0, macOS 13.0, *)
public final class PhotoKitSource {
    private let library: PHPhotoLibrary
    private let defaults: UserDefaults
    private let tokenKey: String

    public init(library: PHPhotoLibrary = .shared(), defaults: UserDefaults = .standard, tokenKey: String = "keepsake.photokit.token") {
        self.library = library
        self.defaults = defaults
        self.tokenKey = tokenKey
    }

    /// Brings `store` up to date with the library; returns what changed.
    public func sync(into store: KeepsakeStore) throws -> SyncSummary {
        let current = library.currentChangeToken
        let limited = PHPhotoLibrary.authorizationStatus(for: .readWrite) == .limited
        let albums = albumsByAsset()
        if let saved = savedToken(), let changes = try? library.fetchPersistentChanges(since: saved) {
            var upserted = Set<String>()
            var deleted = Set<String>()
            for change in changes {
                let details = try change.changeDetails(for: PHObjectType.asset)
                upserted.formUnion(details.insertedLocalIdentifiers)
                upserted.formUnion(details.updatedLocalIdentifiers)
                deleted.formUnion(details.deletedLocalIdentifiers)
            }
            // Under limited access a photo the user un-picks looks deleted: keep it.
            if !deleted.isEmpty && !limited {
                _ = try store.remove(Array(deleted))
            }
            let fetched = PHAsset.fetchAssets(withLocalIdentifiers: Array(upserted.subtracting(deleted)), options: nil)
            let summary = try store.sync(records(from: fetched, albums: albums), full: false)
            save(current)
            return summary
        }
        // No token yet, or PhotoKit expired it: a full listing.
        let options = PHFetchOptions()
        options.includeAssetSourceTypes = [.typeUserLibrary, .typeiTunesSynced]
        let summary = try store.sync(records(from: PHAsset.fetchAssets(with: options), albums: albums), full: !limited)
        save(current)
        return summary
    }

    private func records(from result: PHFetchResult<PHAsset>, albums: [String: String]) -> [AssetRecord] {
        var out: [AssetRecord] = []
        out.reserveCapacity(result.count)
        result.enumerateObjects { asset, _, _ in
            // Shared-album photos are someone else's (they also arrive through changes).
            if asset.sourceType.contains(.typeCloudShared) {
                return
            }
            out.append(PhotoKitSource.record(asset, album: albums[asset.localIdentifier]))
        }
        return out
    }

    /// The user's albums by asset: one pass over the albums (not a query per asset); an
    /// asset in several albums gets the first by title.
    private func albumsByAsset() -> [String: String] {
        var out: [String: String] = [:]
        let albums = PHAssetCollection.fetchAssetCollections(with: .album, subtype: .albumRegular, options: nil)
        var named: [(String, PHAssetCollection)] = []
        albums.enumerateObjects { collection, _, _ in
            named.append((collection.localizedTitle ?? "", collection))
        }
        for (title, collection) in named.sorted(by: { $0.0 < $1.0 }) where !title.isEmpty {
            PHAsset.fetchAssets(in: collection, options: nil).enumerateObjects { asset, _, _ in
                if out[asset.localIdentifier] == nil {
                    out[asset.localIdentifier] = title
                }
            }
        }
        return out
    }

    /// One asset as a record: PhotoKit's capture date is an instant (its time zone is not
    /// exposed), sizes are upright pixels, so no orientation is passed. The original file
    /// name and type come from the asset's primary resource.
    static func record(_ asset: PHAsset, album: String?) -> AssetRecord {
        let resource = PHAssetResource.assetResources(for: asset).first
        let mime = resource.flatMap { UTType($0.uniformTypeIdentifier)?.preferredMIMEType }
        let created = asset.creationDate.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        let modified = (asset.modificationDate ?? asset.creationDate).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? 0
        let coordinate = asset.location?.coordinate
        let isVideo = asset.mediaType == .video
        return AssetRecord(
            id: asset.localIdentifier,
            uri: "ph://" + asset.localIdentifier,
            name: resource?.originalFilename,
            mime: mime,
            size: nil,
            modifiedMs: modified,
            capturedAt: nil,
            capturedMs: created,
            offsetMinutes: nil,
            dateTrust: nil,
            width: UInt32(exactly: asset.pixelWidth),
            height: UInt32(exactly: asset.pixelHeight),
            orientation: nil,
            lat: coordinate?.latitude,
            lon: coordinate?.longitude,
            album: album,
            favorite: asset.isFavorite,
            screenshot: asset.mediaSubtypes.contains(.photoScreenshot),
            isVideo: isVideo,
            isLive: asset.mediaSubtypes.contains(.photoLive),
            durationMs: isVideo ? UInt64((asset.duration * 1000).rounded()) : nil
        )
    }

    private func savedToken() -> PHPersistentChangeToken? {
        guard let data = defaults.data(forKey: tokenKey) else {
            return nil
        }
        return try? NSKeyedUnarchiver.unarchivedObject(ofClass: PHPersistentChangeToken.self, from: data)
    }

    private func save(_ token: PHPersistentChangeToken) {
        if let data = try? NSKeyedArchiver.archivedData(withRootObject: token, requiringSecureCoding: true) {
            defaults.set(data, forKey: tokenKey)
        }
    }
}

/// The app's pixel source for PhotoKit photos (analysis, people, collages, stories):
/// `PHImageManager` at about the size the core asks for, decoded by the OS (HEIC
/// included) and already upright. PhotoKit records carry their capture date and location,
/// so the decoded pixels serve even when the core would like the original's bytes. Never
/// downloads: a photo only in iCloud is `NotDownloaded`, asked for again by a later run.
@available(iOS 16.0, macOS 13.0, *)
public final class PhotoKitPixels: PixelSource, @unchecked Sendable {
    public init() {}

    public func pixels(request: PixelRequest) throws -> PixelAnswer {
        guard let asset = PHAsset.fetchAssets(withLocalIdentifiers: [request.assetId], options: nil).firstObject else {
            throw PixelError.Gone
        }
        let options = PHImageRequestOptions()
        options.isSynchronous = true
        options.deliveryMode = .highQualityFormat
        options.resizeMode = .fast
        options.isNetworkAccessAllowed = false
        let side = CGFloat(request.longSide)
        var image: CGImage?
        var inCloud = false
        PHImageManager.default().requestImage(
            for: asset,
            targetSize: CGSize(width: side, height: side),
            contentMode: .aspectFit,
            options: options
        ) { result, info in
            image = PhotoKitPixels.cgImage(result)
            inCloud = (info?[PHImageResultIsInCloudKey] as? Bool) ?? false
        }
        guard let cg = image else {
            if inCloud {
                throw PixelError.NotDownloaded
            }
            throw PixelError.Failed(reason: "no pixels")
        }
        return try PhotoKitPixels.rgba(cg)
    }

    /// One bulk draw into an RGBA buffer (no per-pixel calls); rows are `bytesPerRow` apart.
    static func rgba(_ image: CGImage) throws -> PixelAnswer {
        let width = image.width
        let height = image.height
        let stride = width * 4
        var data = Data(count: stride * height)
        let drawn = data.withUnsafeMutableBytes { buffer -> Bool in
            guard let context = CGContext(
                data: buffer.baseAddress, width: width, height: height, bitsPerComponent: 8,
                bytesPerRow: stride, space: CGColorSpaceCreateDeviceRGB(),
                bitmapInfo: CGImageAlphaInfo.premultipliedLast.rawValue
            ) else {
                return false
            }
            context.draw(image, in: CGRect(x: 0, y: 0, width: width, height: height))
            return true
        }
        guard drawn else {
            throw PixelError.Failed(reason: "could not draw pixels")
        }
        return .rgba(width: UInt32(width), height: UInt32(height), stride: UInt32(stride), rgba: data, upright: true)
    }
}

#if canImport(UIKit)
import UIKit

@available(iOS 16.0, *)
extension PhotoKitPixels {
    static func cgImage(_ image: UIImage?) -> CGImage? {
        image?.cgImage
    }
}
#elseif canImport(AppKit)
import AppKit

@available(macOS 13.0, *)
extension PhotoKitPixels {
    static func cgImage(_ image: NSImage?) -> CGImage? {
        image?.cgImage(forProposedRect: nil, context: nil, hints: nil)
    }
}
#endif
#endif

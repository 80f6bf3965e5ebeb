import Foundation

// The port an image listens on when the service declares none, where it depends on the image's version.
extension ImageKnowledge {
    /// The port `image` listens on by default: the profile's, or for images whose default changed between versions
    /// the one of the tag's version (ASP.NET Core images listen on 80 before .NET 8 and on 8080 from 8 on).
    public static func defaultPort(_ profile: ImageProfile, image: String?) -> Int? {
        guard profile.runtime == .dotnet, profile.family == "aspnet" || profile.family == "dotnet-sdk" else {
            return profile.defaultPort
        }
        let major = image.flatMap(tag).flatMap { tag in Int(tag.prefix { $0.isNumber }) }
        return major.map { $0 < 8 ? 80 : 8080 } ?? 8080
    }
}

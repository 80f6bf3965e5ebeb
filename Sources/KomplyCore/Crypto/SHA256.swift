import Foundation

/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in pure Swift, for content digests and signatures
/// without a platform crypto library.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `data` as 64 lowercase hexadecimal digits.
    public static func hex(_ data: Data) -> String {
        hexString(digest(data))
    }

    /// The digest of the UTF-8 bytes of `text` as 64 lowercase hexadecimal digits.
    public static func hex(_ text: String) -> String {
        hexString(digest(text.utf8))
    }

    /// The 32-byte HMAC-SHA256 of `message` under `key`.
    public static func hmac(key: Data, message: Data) -> [UInt8] {
        var block = key.count > blockSize ? digest(key) : [UInt8](key)
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        var inner = Hasher()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = Hasher()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// The HMAC-SHA256 of `message` under `key` as 64 lowercase hexadecimal digits.
    public static func hmacHex(key: Data, message: Data) -> String {
        hexString(hmac(key: key, message: message))
    }

    /// Lowercase hexadecimal digits of `bytes`.
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An incremental hash: feed any number of chunks with `update`, then `finalize` once.
    public struct Hasher: Sendable {
        private var state: [UInt32] = SHA256.initialState
        private var buffer: [UInt8] = []
        private var length: UInt64 = 0

        /// Creates a hasher for an empty message.
        public init() {
            buffer.reserveCapacity(SHA256.blockSize)
        }

        /// Appends `bytes` to the message.
        public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
            let chunk = bytes as? [UInt8] ?? Array(bytes)
            length &+= UInt64(chunk.count)
            var index = 0
            if !buffer.isEmpty {
                let take = min(SHA256.blockSize - buffer.count, chunk.count)
                buffer += chunk[0..<take]
                index = take
                if buffer.count == SHA256.blockSize {
                    buffer.withUnsafeBufferPointer { SHA256.compress(&state, $0.baseAddress!) }
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            chunk.withUnsafeBufferPointer { pointer in
                while chunk.count - index >= SHA256.blockSize {
                    SHA256.compress(&state, pointer.baseAddress! + index)
                    index += SHA256.blockSize
                }
            }
            if index < chunk.count { buffer += chunk[index...] }
        }

        /// The digest of everything passed to `update`.
        public mutating func finalize() -> [UInt8] {
            let bitLength = length &* 8
            var tail = buffer
            tail.append(0x80)
            while tail.count % SHA256.blockSize != 56 { tail.append(0) }
            for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
            tail.withUnsafeBufferPointer { pointer in
                for offset in stride(from: 0, to: tail.count, by: SHA256.blockSize) {
                    SHA256.compress(&state, pointer.baseAddress! + offset)
                }
            }
            buffer.removeAll()
            return state.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> UInt32($0)) } }
        }
    }
}

private extension SHA256 {
    static let blockSize = 64

    static let initialState: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]

    static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    @inline(__always)
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// Mixes one 64-byte block at `block` into `state`.
    static func compress(_ state: inout [UInt32], _ block: UnsafePointer<UInt8>) {
        var w = [UInt32](repeating: 0, count: 64)
        w.withUnsafeMutableBufferPointer { w in
            for t in 0..<16 {
                let b = block + 4 * t
                w[t] = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
            roundConstants.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let choose = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ choose &+ k[t] &+ w[t]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ majority
                    (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                }
            }
            state[0] &+= a
            state[1] &+= b
            state[2] &+= c
            state[3] &+= d
            state[4] &+= e
            state[5] &+= f
            state[6] &+= g
            state[7] &+= h
        }
    }
}

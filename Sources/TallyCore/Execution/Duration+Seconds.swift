extension Duration {
    /// The duration in seconds, as a `Double` (the iteration timings, bench times and progress
    /// lines all report it so).
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

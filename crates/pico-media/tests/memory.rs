//! Alone in its own test binary, so that no other test shares the process's peak memory.
#![cfg(target_os = "linux")]

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// Peak resident memory of this process since the last reset, in MiB.
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024
}

#[test]
fn a_12_megapixel_photo_is_resized_in_under_100_mb() {
    let (width, height) = (4032, 3024);
    let mut seed = 7u32;
    let photo = RgbImage::from_fn(width, height, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let grain = (seed >> 28) as u8;
        Rgb([
            (x * 200 / width) as u8 + grain,
            (y * 200 / height) as u8 + grain,
            ((x + y) / 40 % 200) as u8 + grain,
        ])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&photo)
        .unwrap();
    drop(photo);
    // Writing 5 resets the peak, so that making the photo above does not count. If the
    // kernel refuses, the peak includes it and the bound below is only stricter.
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    let renditions = pico_media::renditions(&jpeg).unwrap();

    assert_eq!(renditions.len(), 3);
    let peak = peak_mib();
    assert!(
        peak < 100,
        "peak {peak} MiB for a {} MB JPEG",
        jpeg.len() / 1_000_000
    );
}

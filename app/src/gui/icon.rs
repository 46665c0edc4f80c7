//! The window icon, drawn in code (the same picture as assets/haul.svg): a
//! white arrow onto a line, on a blue rounded square.

use eframe::egui::IconData;

/// Side of the icon in pixels.
const SIZE: u32 = 64;

/// The icon as RGBA pixels.
pub fn icon() -> IconData {
    let mut rgba = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            rgba.extend_from_slice(&pixel(x as f32 + 0.5, y as f32 + 0.5));
        }
    }
    IconData { rgba, width: SIZE, height: SIZE }
}

fn pixel(x: f32, y: f32) -> [u8; 4] {
    if !in_rounded_square(x, y, 2.0, 62.0, 14.0) {
        return [0, 0, 0, 0];
    }
    let arrow = (26.0..=38.0).contains(&x) && (12.0..=32.0).contains(&y)
        || ((30.0..=48.0).contains(&y) && (x - 32.0).abs() <= 48.0 - y)
        || (16.0..=48.0).contains(&x) && (51.0..=55.0).contains(&y);
    if arrow {
        return [255, 255, 255, 255];
    }
    // A soft vertical gradient, #2f80e8 to #1557a8.
    let t = y / SIZE as f32;
    let mix = |a: f32, b: f32| (a + (b - a) * t) as u8;
    [mix(47.0, 21.0), mix(128.0, 87.0), mix(232.0, 168.0), 255]
}

fn in_rounded_square(x: f32, y: f32, min: f32, max: f32, radius: f32) -> bool {
    if x < min || y < min || x > max || y > max {
        return false;
    }
    let cx = x.clamp(min + radius, max - radius);
    let cy = y.clamp(min + radius, max - radius);
    (x - cx).powi(2) + (y - cy).powi(2) <= radius * radius
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icon_has_its_arrow_and_transparent_corners() {
        let icon = super::icon();
        assert_eq!(icon.rgba.len(), 64 * 64 * 4);
        assert_eq!(icon.rgba[3], 0, "corner is transparent");
        let at = |x: usize, y: usize| &icon.rgba[(y * 64 + x) * 4..(y * 64 + x) * 4 + 4];
        assert_eq!(at(32, 20), [255, 255, 255, 255], "the arrow's stem");
        assert_eq!(at(8, 32)[3], 255, "the square");
    }
}

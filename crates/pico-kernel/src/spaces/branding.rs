//! A space's look: primary colour and logo, validated so that a Province cannot make its
//! pages unreadable or upload something that is not a picture.

use std::fmt;

/// A `#rrggbb` colour dark enough for white text on it (WCAG 2.1 AA, 4.5:1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimaryColour([u8; 3]);

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ColourError {
    #[error("Il colore deve essere nel formato #rrggbb, per esempio #0066cc.")]
    Format,
    #[error(
        "Il colore scelto non garantisce un contrasto sufficiente con il testo bianco \
         ({ratio:.1}:1, il minimo è 4,5:1). Scegli una tonalità più scura."
    )]
    Contrast { ratio: f64 },
}

impl PrimaryColour {
    pub const MIN_CONTRAST: f64 = 4.5;

    pub fn parse(input: &str) -> Result<Self, ColourError> {
        let hex = input.trim().strip_prefix('#').ok_or(ColourError::Format)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ColourError::Format);
        }
        let channel =
            |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("checked hex digits");
        let colour = Self([channel(0), channel(2), channel(4)]);
        let ratio = colour.contrast_with_white();
        if ratio < Self::MIN_CONTRAST {
            return Err(ColourError::Contrast { ratio });
        }
        Ok(colour)
    }

    /// WCAG contrast ratio between this colour and white.
    pub fn contrast_with_white(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        1.05 / (luminance + 0.05)
    }

    fn darker(self) -> Self {
        Self(self.0.map(|c| (f64::from(c) * 0.8) as u8))
    }

    /// The stylesheet that paints the header, the navigation bar and primary buttons.
    pub fn theme_css(self) -> String {
        let c = self;
        let d = self.darker();
        format!(
            ".it-header-center-wrapper{{background:{c}}}\n\
             .it-header-center-wrapper .it-header-center-content-wrapper .it-search-wrapper a.rounded-icon svg{{fill:{c}}}\n\
             @media (min-width:992px){{.it-header-navbar-wrapper{{background:{c}}}}}\n\
             .it-header-navbar-wrapper.theme-dark-mobile .navbar .navbar-collapsable .menu-wrapper{{background:{c}}}\n\
             .btn-primary{{--bs-btn-bg:{c};--bs-btn-border-color:{c};--bs-btn-hover-bg:{d};--bs-btn-hover-border-color:{d};--bs-btn-active-bg:{d};background-color:{c};border-color:{c}}}\n\
             .btn-primary:hover{{background-color:{d};border-color:{d}}}\n"
        )
    }
}

impl fmt::Display for PrimaryColour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// An uploaded logo that passed the checks.
#[derive(Debug)]
pub struct Logo {
    pub bytes: Vec<u8>,
    pub extension: &'static str,
    pub content_type: &'static str,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum LogoError {
    #[error("Il file è troppo grande ({size} KB): il logo può pesare al massimo {max} KB.")]
    TooLarge { size: usize, max: usize },
    #[error("Il file non è un'immagine PNG, JPEG o WebP valida.")]
    NotAnImage,
    #[error("L'immagine è troppo grande ({width}×{height} pixel): al massimo 2000×2000.")]
    TooManyPixels { width: usize, height: usize },
    #[error("Nessun file selezionato.")]
    Empty,
}

impl Logo {
    pub const MAX_SIDE: usize = 2000;

    /// Accepts PNG, JPEG and WebP, recognised by their content, not by the file name. SVG is
    /// refused: it can carry scripts.
    pub fn parse(bytes: Vec<u8>, max_bytes: usize) -> Result<Self, LogoError> {
        if bytes.is_empty() {
            return Err(LogoError::Empty);
        }
        if bytes.len() > max_bytes {
            return Err(LogoError::TooLarge {
                size: bytes.len().div_ceil(1024),
                max: max_bytes / 1024,
            });
        }
        let (extension, content_type) = match imagesize::image_type(&bytes) {
            Ok(imagesize::ImageType::Png) => ("png", "image/png"),
            Ok(imagesize::ImageType::Jpeg) => ("jpg", "image/jpeg"),
            Ok(imagesize::ImageType::Webp) => ("webp", "image/webp"),
            _ => return Err(LogoError::NotAnImage),
        };
        let size = imagesize::blob_size(&bytes).map_err(|_| LogoError::NotAnImage)?;
        if size.width == 0 || size.height == 0 {
            return Err(LogoError::NotAnImage);
        }
        if size.width > Self::MAX_SIDE || size.height > Self::MAX_SIDE {
            return Err(LogoError::TooManyPixels {
                width: size.width,
                height: size.height,
            });
        }
        Ok(Self {
            bytes,
            extension,
            content_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_colours_pass_light_ones_fail() {
        assert_eq!(
            PrimaryColour::parse("#0066CC").unwrap().to_string(),
            "#0066cc"
        );
        assert!(matches!(
            PrimaryColour::parse("#ffff00"),
            Err(ColourError::Contrast { .. })
        ));
        assert_eq!(PrimaryColour::parse("0066cc"), Err(ColourError::Format));
        assert_eq!(PrimaryColour::parse("#06c"), Err(ColourError::Format));
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        let black = PrimaryColour([0, 0, 0]).contrast_with_white();
        assert!((black - 21.0).abs() < 0.01);
        let grey = PrimaryColour([0x76, 0x76, 0x76]).contrast_with_white();
        assert!((grey - 4.54).abs() < 0.01);
    }

    #[test]
    fn logos_are_recognised_by_content() {
        let png = tiny_png();
        assert_eq!(
            Logo::parse(png.clone(), 1024).unwrap().content_type,
            "image/png"
        );
        assert_eq!(
            Logo::parse(b"<svg onload=alert(1)>".to_vec(), 1024).unwrap_err(),
            LogoError::NotAnImage
        );
        assert!(matches!(
            Logo::parse(png, 10),
            Err(LogoError::TooLarge { .. })
        ));
    }

    /// A valid 1×1 PNG.
    pub fn tiny_png() -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
            .unwrap()
    }
}

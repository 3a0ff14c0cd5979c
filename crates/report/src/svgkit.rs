//! Small helpers shared by the SVG writers: escaping, text measuring and wrapping.

/// Text escaped for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Approximate width in pixels of `s` in a sans-serif font of `size` px: good enough to
/// size boxes without a font engine.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.28,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '-' => 0.36,
            'm' | 'w' | 'M' | 'W' | '@' => 0.85,
            c if c.is_uppercase() => 0.66,
            _ => 0.54,
        })
        .sum::<f64>()
        * size
}

/// `s` cut to fit `width` pixels, with an ellipsis when cut.
pub fn fit(s: &str, width: f64, size: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if text_width(&out, size) > width - text_width("…", size) {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// `s` broken into at most `max_lines` lines of at most `width` pixels; the last line
/// ends with an ellipsis when text is left over.
pub fn wrap(s: &str, width: f64, size: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let trial = if cur.is_empty() {
            w.to_owned()
        } else {
            format!("{cur} {w}")
        };
        if text_width(&trial, size) <= width || cur.is_empty() {
            cur = trial;
            i += 1;
        } else {
            lines.push(std::mem::take(&mut cur));
            if lines.len() == max_lines {
                break;
            }
        }
    }
    if !cur.is_empty() && lines.len() < max_lines {
        lines.push(cur);
    } else if (i < words.len() || !cur.is_empty())
        && let Some(last) = lines.last_mut()
    {
        *last = fit(&format!("{} …", last.trim_end()), width, size);
    }
    lines.iter().map(|l| fit(l, width, size)).collect()
}

/// A coordinate with at most one decimal, short enough to keep large drawings small.
pub fn num(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            esc("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn wraps_within_width_and_marks_the_cut() {
        let lines = wrap(
            "one two three four five six seven eight nine ten",
            60.0,
            10.0,
            2,
        );
        assert_eq!(lines.len(), 2);
        assert!(
            lines.iter().all(|l| text_width(l, 10.0) <= 60.0 + 0.01),
            "{lines:?}"
        );
        assert!(lines[1].ends_with('…'), "{lines:?}");
        assert_eq!(wrap("short", 100.0, 10.0, 2), vec!["short"]);
    }
}

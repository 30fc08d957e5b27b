//! How far the heuristic looks: the distances within which a word counts as
//! evidence for a candidate. Named once, here, so that the step that finds
//! candidates and the steps that describe them agree on what "near" is.
//! Distances in characters are counted in the text as a reader sees it;
//! distances in bytes bound a search.

/// A code keyword this many characters or fewer from a candidate, on its
/// line, is right next to it ("code: 482913").
pub(crate) const CLOSE_CHARS: usize = 40;

/// A code keyword this many characters or fewer before a candidate, on its
/// line, is on the same line as it ("Your code for signing in to Acme is 482913").
pub(crate) const ON_LINE_CHARS: usize = 150;

/// How far after a code keyword (in bytes) a candidate may stand and still
/// be the code the keyword announces: the keyword's sentence, a blank line,
/// and a box or table cell below it.
pub(crate) const AFTER_KEYWORD_BYTES: usize = 600;

/// How far before a code keyword (in bytes) a candidate may stand: "482913
/// is your verification code".
pub(crate) const BEFORE_KEYWORD_BYTES: usize = 200;

/// How many lines above a candidate count as what introduces it.
pub(crate) const LINES_ABOVE: usize = 2;

/// How many bytes those lines may span at most, so that a blank gap of
/// markup does not make a distant paragraph an introduction.
pub(crate) const LINES_ABOVE_BYTES: usize = 300;

/// A line (trimmed) or an emphasised span this short, in bytes, sets a
/// candidate apart: it stands alone.
pub(crate) const SHORT_LINE_BYTES: usize = 40;

/// How far after a value told to be typed its purpose may come: "Use
/// 582913 to sign in", not "Enter 1600 Amphitheatre Parkway to verify".
pub(crate) const PURPOSE_CHARS: usize = 12;

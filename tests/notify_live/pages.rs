//! The notification parts of the web pages.

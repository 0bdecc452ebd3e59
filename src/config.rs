//! Layered configuration (design.md §6).

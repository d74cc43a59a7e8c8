#![allow(unsafe_code)]
uniffi::setup_scaffolding!();

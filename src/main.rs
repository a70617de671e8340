//! The `vakt` command: everything is in the library's [`vakt::cli`], so that a program adding its
//! own rule kinds gets the same command with `vakt::cli::main_with`.

fn main() -> std::process::ExitCode {
    vakt::cli::main()
}

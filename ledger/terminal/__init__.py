"""The process's terminal, as the shell's commands meet it (httpie's `context` is the model).

`env.Environment` is the terminal as one value (streams, whether each is a terminal, size,
colour, pager, editor), built once by `main`; `call.Call` is one run of a command in it (its
values, its ledger, its voice on stderr); `pager` pages long output; `process` sets up the
process itself (UTF-8 streams, SIGTERM as Ctrl-C, the pager); `errors` is the one place where
what stopped a command becomes a message and an exit status; `editor` opens a file in the
user's editor and asks questions on the terminal; `completion` offers what an option or
argument can take on a tab press (typer's shell completion calls it). Nothing here imports
typer: the shell (`ledger.cli`) declares the commands, this layer is what they run in.
"""

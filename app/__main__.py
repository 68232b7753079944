"""`python -m app ...` is the same as the `syncline` command."""
from app.cli import main

main()

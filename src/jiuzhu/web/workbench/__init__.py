"""The workbench (工作台): everything that waits for the signed-in user, from every app, and the
help page of each role. It sits on top of the other apps and only reads."""

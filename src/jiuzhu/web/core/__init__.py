"""What every web app shares and no domain owns: the transition tables' machinery, the work items
of the workbench, form and view helpers (DESIGN.md §3). It imports no app of the platform but
``accounts`` (roles), so every app may use it."""

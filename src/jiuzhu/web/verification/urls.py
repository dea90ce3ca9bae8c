app_name = "verification"
# Verification is reached from the application page (the 核对 step); it has no pages of its own.
urlpatterns: list[object] = []

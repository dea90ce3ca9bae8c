from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jiuzhu.web.documents"
    label = "documents"
    verbose_name = "材料与文书"

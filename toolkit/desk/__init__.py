"""The clerk's desk in a browser: `toolkit serve DIR`.

Overview, units, upload, review and results over one campaign folder, in Chinese by default.
The pages call the same stage functions as the CLI; one job thread under the campaign lock does
all the writing. The web parts load only when the desk is used, not with every command.
"""

__all__ = ["create_app", "serve"]


def __getattr__(name: str):
    if name == "create_app":
        from .app import create_app
        return create_app
    if name == "serve":
        from .server import serve
        return serve
    raise AttributeError(name)

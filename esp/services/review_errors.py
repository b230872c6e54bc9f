"""The domain error of the review services: a sentence for staff or the reviewer, shown as a message."""


class ReviewError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

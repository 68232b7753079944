"""Use cases shared by the API and the workers; views and jobs stay thin."""

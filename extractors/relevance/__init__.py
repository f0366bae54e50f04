"""Is an article about trade permits and export controls at all? (`tradeline_relevance`)"""

"""Related clusters (/insights/related): the network of traded categories linked by relatedness with a
region's specialisation on it, and the region's diversification opportunities (relatedness density
against LQ)."""
